"""Sending one callback request: policed, bounded in time and in the answer read, never raising.

Whatever happens becomes a :class:`Sent`: the receiver's status and the start of its answer, or
status 600 (seed 002's "no HTTP status") with what went wrong. Redirects are not followed: a 3xx
is the receiver's answer, and a failure like any status outside 2xx.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from foxden.dispatch import outbound
from foxden.domain.deliveries import HttpRequest

NO_STATUS = 600
# How much of an answer the attempt log keeps, in characters.
_INFO_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Sent:
    """What came of a request: the HTTP status (600 when none) and the answer or the error."""

    status: int
    info: str | None
    # The answer's text as read (up to the client's byte bound), for a downlink to be parsed.
    answer: str = ""

    @property
    def delivered(self) -> bool:
        """Whether the receiver took it: a 2xx answer."""
        return 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Client:
    """The pooled HTTP session, the outbound policy it enforces and the bounds of an answer."""

    session: aiohttp.ClientSession
    policy: outbound.OutboundPolicy
    timeout_s: float
    max_bytes: int


async def send(client: Client, request: HttpRequest, headers: dict[str, str]) -> Sent:
    """Send ``request`` with ``headers``; what came of it."""
    try:
        outbound.check_url(client.policy, request.url)
    except outbound.OutboundDenied as denied:
        return Sent(NO_STATUS, str(denied))
    sent_headers = dict(headers)
    if request.body is not None and not any(h.lower() == "content-type" for h in sent_headers):
        sent_headers["Content-Type"] = request.content_type or "text/plain"
    try:
        async with client.session.request(
            request.method,
            request.url,
            headers=sent_headers,
            data=request.body.encode() if request.body is not None else None,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=client.timeout_s),
        ) as response:
            answer = await response.content.read(client.max_bytes)
            text = answer.decode("utf-8", "replace")
            return Sent(response.status, text[:_INFO_CHARS] or response.reason, text)
    except TimeoutError:
        return Sent(NO_STATUS, f"No complete answer within {client.timeout_s:g} s.")
    except (outbound.OutboundDenied, aiohttp.ClientError, OSError, ValueError) as exc:
        refusal = outbound.denial(exc)
        if refusal is not None:
            return Sent(NO_STATUS, str(refusal))
        return Sent(NO_STATUS, _describe(exc))


def _describe(exc: BaseException) -> str:
    """A one-line account of a transport error."""
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text
