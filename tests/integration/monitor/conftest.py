"""A server whose own monitor is off, so that each test drives a ``Monitor`` of its own on the
server's database with a clock it sets; helpers for a fleet with a keepAlive and its uplinks.

Times are a few hours in the past, so that the clock the tests set never runs ahead of the real
one: callbacks queued by the monitor fall due for the server's dispatcher at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from foxden.config import Settings
from foxden.domain.clock import now_ms
from foxden.monitor.monitor import CHUNK, Monitor, Tick
from tests.support.factories import Fleet, fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink

MINUTE = 60_000
# A base time with a millisecond part, so that a slip between seconds and ms shows.
START = (now_ms() // MINUTE - 6 * 60) * MINUTE + 26


@dataclass
class Clock:
    """The monitor's time, set by the test."""

    now: int = START

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        demo=False,
        monitor=False,
        outbound_allow=["127.0.0.1/32"],
        station_silence_s=600,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as receiver:
        yield receiver


class Watch:
    """A ``Monitor`` on a live server's database, ticked on the server's event loop."""

    def __init__(
        self, server: LiveServer, settings: Settings, clock: Clock, *, chunk: int = CHUNK
    ) -> None:
        self._server = server
        self.monitor = Monitor(
            server.runtime.db,
            settings,
            clock=clock,
            wake=server.runtime.outbox_queued,
            chunk=chunk,
        )
        self.clock = clock

    def at(self, time: int) -> Tick:
        """One look at ``time`` (Unix ms)."""
        self.clock.now = time
        return self._server.call(self.monitor.tick)


@pytest.fixture
def watch(server: LiveServer, settings: Settings, clock: Clock) -> Watch:
    return Watch(server, settings, clock)


def keep_alive(client: httpx.Client, made: Fleet, minutes: int) -> None:
    """Set the fleet's device type's keepAlive through the API."""
    edited = client.post(
        "/api/devicetypes/edit",
        json={"id": made.device_type_id, "keepAlive": minutes},
        auth=made.tenant.auth,
    )
    assert edited.status_code == 200, edited.text


def watched_fleet(
    server: LiveServer, client: httpx.Client, *, minutes: int = 30, **options: Any
) -> Fleet:
    """A fleet without DATA callbacks whose device type has a keepAlive of ``minutes``."""
    made = fleet(server, callbacks=(), **options)
    if minutes:
        keep_alive(client, made, minutes)
    return made


def uplink(
    client: httpx.Client, made: Fleet, *, seq: int, at: int, device: int = 0, station: int = 0
) -> None:
    """A frame of one of the fleet's devices reported by one of its stations at ``at``."""
    station_id, token = made.stations[station]
    answer = client.post(
        "/network/uplinks",
        json={
            "device": made.device_ids[device],
            "seqNumber": seq,
            "data": "0102",
            "station": station_id,
            "rssi": -100.0,
            "snr": 10.0,
            "time": at,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["duplicate"] is False


def events(client: httpx.Client, made: Fleet, path: str) -> list[dict[str, Any]]:
    """The status events at ``path`` (under /api), newest first."""
    answer = client.get(f"/api{path}", auth=made.tenant.auth)
    assert answer.status_code == 200, answer.text
    data: list[dict[str, Any]] = answer.json()["data"]
    return data
