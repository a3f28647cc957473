"""The outbound policy: callback URLs are chosen by customers, so they must not reach the host's
private network (loopback, RFC 1918, link-local cloud metadata, ...) unless the operator allows it
with ``FOXDEN_OUTBOUND_ALLOW``.

The policy is enforced on the address actually connected to, not on the URL's text:

* names go through :class:`PolicedResolver`, which drops every resolved address the policy does not
  permit; aiohttp connects only to the addresses its resolver returned, so a name that resolves
  (or re-resolves, DNS rebinding) to ``127.0.0.1`` cannot reach it;
* aiohttp never asks the resolver about IP literals (``http://127.0.0.1/``, ``http://[::1]/``), so
  :func:`check_url` judges those; the session from :func:`session` runs it on every request,
  redirects included.

A refusal reaches the caller of ``session.get(...)`` and friends as :class:`OutboundDenied` itself
(aiohttp 3.14 wraps only OSErrors from its resolver and client middlewares, and OutboundDenied is
not one): catch it next to ``aiohttp.ClientError``. :func:`denial` also finds it anywhere in an
exception's cause and context chain, so ``if (refused := denial(exc)) is not None`` tells a
refusal from a failed delivery whatever wraps it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SETTING = "FOXDEN_OUTBOUND_ALLOW"
_SCHEMES = frozenset({"http", "https"})


class OutboundDenied(Exception):
    """A callback target the outbound policy refuses: ``target`` (an address, host or URL) and why.

    ``str()`` is a complete sentence for the delivery's error, e.g. "127.0.0.1 is a loopback
    address, denied by the outbound policy (FOXDEN_OUTBOUND_ALLOW)".
    """

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(target, reason)
        self.target = target
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.target} {self.reason}"


def _kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address (``"loopback"``, ...), or None if it is one.

    Addresses that embed an IPv4 address are judged by it, as that is where the packets go.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _kind(ip.ipv4_mapped)
        embedded = [ip.sixtofour, *(ip.teredo or ())]
        for inner in embedded:
            if inner is not None and (kind := _kind(inner)) is not None:
                return f"{kind} (as {inner})"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        # 100.64.0.0/10, shared address space: carrier-grade NAT, and some clouds' metadata.
        return "non-global"
    return None


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


@dataclass(frozen=True)
class OutboundPolicy:
    """Which addresses callbacks may reach: public ones, and those in ``allow``."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, cidrs: Iterable[str]) -> OutboundPolicy:
        """The policy allowing ``cidrs`` (``FOXDEN_OUTBOUND_ALLOW``); a bare address means itself.

        Raises ValueError for anything that is not a CIDR or an address.
        """
        networks: list[IPNetwork] = []
        for cidr in cidrs:
            try:
                networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{cidr!r} is not a CIDR such as 127.0.0.1/32") from None
        return cls(tuple(networks))

    def _allowed(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        # ``in`` is False, not an error, across IP versions.
        return any(c in network for c in candidates for network in self.allow)

    def reason(self, address: str) -> str | None:
        """Why ``address`` is denied, as the end of a sentence starting with it; None if permitted.

        Anything that is not an IP address is denied: the policy fails closed.
        """
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return "is not an IP address, denied by the outbound policy"
        if self._allowed(ip):
            return None
        kind = _kind(ip)
        if kind is None:
            return None
        return f"is {_article(kind)} {kind} address, denied by the outbound policy ({_SETTING})"

    def permits(self, address: str) -> bool:
        """Whether callbacks may connect to ``address`` (an IPv4 or IPv6 address, no brackets)."""
        return self.reason(address) is None

    def check(self, address: str) -> None:
        """Raise OutboundDenied unless callbacks may connect to ``address``."""
        reason = self.reason(address)
        if reason is not None:
            raise OutboundDenied(address, reason)


class PolicedResolver(AbstractResolver):
    """A resolver returning only the addresses ``policy`` permits.

    ``inner`` does the resolving, a ThreadedResolver (the system's getaddrinfo, /etc/hosts
    included) by default. A name with addresses none of which is permitted raises OutboundDenied;
    with some, the others are dropped (``localhost`` as ``::1`` and ``127.0.0.1`` with only
    127.0.0.1/32 allowed connects to 127.0.0.1). Construct it inside a running event loop.
    ``close()`` closes ``inner`` too.
    """

    def __init__(self, policy: OutboundPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self._inner = inner if inner is not None else ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        kept = [result for result in results if self.policy.permits(result["host"])]
        if results and not kept:
            addresses = ", ".join(dict.fromkeys(result["host"] for result in results))
            raise OutboundDenied(
                host,
                f"resolves only to addresses denied by the outbound policy ({_SETTING}):"
                f" {addresses}",
            )
        return kept

    async def close(self) -> None:
        await self._inner.close()


def _is_ip_literal(host: str) -> bool:
    """Whether aiohttp takes ``host`` for an IP address, and so never resolves it.

    Mirrors ``aiohttp.helpers.is_ip_address``: any host with a colon, or only digits and dots.
    """
    return ":" in host or host.replace(".", "").isdigit()


def check_url(policy: OutboundPolicy, url: str | URL) -> None:
    """Raise OutboundDenied for a URL callbacks may not fetch.

    Refused: schemes other than http and https, URLs without a host, and IP-literal hosts the
    policy does not permit (including forms such as ``127.1`` that are not canonical addresses).
    Names pass: they are judged once resolved, by PolicedResolver.
    """
    try:
        parsed = url if isinstance(url, URL) else URL(url)
    except ValueError:
        raise OutboundDenied(str(url), "is not a valid URL") from None
    if parsed.scheme not in _SCHEMES:
        raise OutboundDenied(str(url), "is not an http or https URL")
    host = parsed.raw_host
    if not host:
        raise OutboundDenied(str(url), "has no host")
    if _is_ip_literal(host):
        policy.check(host)


def url_guard(policy: OutboundPolicy) -> aiohttp.ClientMiddlewareType:
    """A client middleware running check_url on every request, each redirect included.

    :func:`session` installs it; a request given its own ``middlewares=`` must include it again.
    """

    async def guard(
        request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        check_url(policy, request.url)
        return await handler(request)

    return guard


def denial(exc: BaseException) -> OutboundDenied | None:
    """The OutboundDenied that caused ``exc`` (or is ``exc``), if any.

    Follows ``__cause__``, ``__context__``, ``os_error`` (aiohttp's ClientConnectorError) and the
    members of exception groups.
    """
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OutboundDenied):
            return current
        linked = [current.__cause__, current.__context__, getattr(current, "os_error", None)]
        pending.extend(e for e in linked if isinstance(e, BaseException))
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
    return None


def session(
    policy: OutboundPolicy,
    *,
    timeout_s: float,
    limit: int = 512,
    limit_per_host: int = 64,
    resolver: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """An aiohttp session that reaches only what ``policy`` permits, for delivering callbacks.

    Call it inside a running event loop (aiohttp binds the session to it) and close the session
    when done (``async with``). Connections are pooled and kept alive, at most ``limit`` in all
    and ``limit_per_host`` per host; names are cached 60 s (after filtering); ``timeout_s``
    bounds each request as a whole, resolution included. No cookies are kept between requests,
    statuses do not raise, and the environment's proxy settings are ignored: a proxy would
    resolve and connect on our behalf, out of the policy's sight, so do not pass ``proxy=``
    either. ``resolver`` is the one PolicedResolver asks (a ThreadedResolver by default); it is
    not closed with the session.
    """
    connector = aiohttp.TCPConnector(
        resolver=PolicedResolver(policy, resolver),
        limit=limit,
        limit_per_host=limit_per_host,
        ttl_dns_cache=60,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout_s),
        cookie_jar=aiohttp.DummyCookieJar(),
        raise_for_status=False,
        headers={"User-Agent": "foxden"},
        trust_env=False,
        middlewares=(url_guard(policy),),
    )
