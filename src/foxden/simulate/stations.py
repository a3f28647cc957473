"""Simulated base stations: post what they heard to a foxden's network API, as real ones do.

Each reception is one ``POST /network/uplinks`` with the station's token (the wire format is in
``docs/network-api.md``; the body leaves ``station`` out, the token says which it is). All
requests share one aiohttp session, so connections are kept alive between frames. Whatever goes
wrong on the way (refused connection, timeout, a body that is not JSON) becomes an
:class:`Answer` here, at this one boundary: a simulator keeps sending when the server blips.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from foxden.simulate.radio import Reception
from foxden.simulate.virtual import Frame

TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)


@dataclass(frozen=True, slots=True)
class Answer:
    """The server's answer to one reception: ``status`` None when there was none."""

    status: int | None
    body: dict[str, Any]


def session() -> aiohttp.ClientSession:
    """The one HTTP session of a simulator run."""
    return aiohttp.ClientSession(timeout=TIMEOUT, raise_for_status=False)


def uplink_body(frame: Frame, reception: Reception) -> dict[str, Any]:
    """The ``POST /network/uplinks`` body of one reception of ``frame``."""
    return {
        "device": frame.device,
        "seqNumber": frame.seq_number,
        "data": frame.data.hex(),
        "rssi": reception.rssi,
        "snr": reception.snr,
        "freq": reception.freq,
        "time": reception.time,
        "ack": frame.ack,
    }


async def post(
    http: aiohttp.ClientSession, url: str, token: str, frame: Frame, reception: Reception
) -> Answer:
    """Report ``reception`` of ``frame`` to the foxden at ``url`` as the station of ``token``."""
    try:
        async with http.post(
            f"{url.rstrip('/')}/network/uplinks",
            json=uplink_body(frame, reception),
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            return Answer(response.status, _body(await response.text()))
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Answer(None, {"message": f"no answer from {url}: {str(exc) or type(exc).__name__}"})


async def wait_until_up(http: aiohttp.ClientSession, url: str, pause: float = 0.1) -> None:
    """Return once the server at ``url`` answers any request."""
    while True:
        try:
            async with http.get(url):
                return
        except (aiohttp.ClientError, TimeoutError):
            await asyncio.sleep(pause)


def _body(text: str) -> dict[str, Any]:
    """An answer's JSON object, or its text as ``message`` when it is not one."""
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return parsed if isinstance(parsed, dict) else {"message": text[:200]}
