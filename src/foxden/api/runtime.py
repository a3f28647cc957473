"""What every request handler needs, shared by the API sub-applications of one server."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from foxden.config import Settings
from foxden.dispatch.downlink_calls import DownlinkCalls
from foxden.domain.credentials import VerifiedPasswords
from foxden.domain.stations import Station
from foxden.storage.db import Database

# How often a station's frames are noted as heard, in seconds.
HEARD_EVERY_S = 60.0


@dataclass
class Runtime:
    """The settings, and the database the server's lifespan opens and closes."""

    settings: Settings
    verified: VerifiedPasswords = field(default_factory=VerifiedPasswords)
    # Argon2 checks under way, shared by concurrent requests with the same credentials.
    checking: dict[tuple[str, str], asyncio.Future[bool]] = field(default_factory=dict)
    # Station token digest -> (station, monotonic expiry): one lookup per station and minute,
    # not one per uplink.
    stations: dict[str, tuple[Station, float]] = field(default_factory=dict)
    # Set when a bulk registration job is queued, to wake the worker that registers its devices.
    registrations_queued: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when an uplink queued callback deliveries, to wake the dispatcher at once.
    outbox_queued: asyncio.Event = field(default_factory=asyncio.Event)
    # Station id -> monotonic time after which its next frame notes it as heard again: the
    # station outage watch needs minutes, not a write per frame.
    heard: dict[str, float] = field(default_factory=dict)
    # Asks downlink callbacks while the station waits; set by the lifespan.
    downlink_calls: DownlinkCalls | None = None
    _db: Database | None = None

    def note_heard(self, station_id: str) -> bool:
        """Whether this frame should note its station as heard: once a minute per station."""
        now = time.monotonic()
        if self.heard.get(station_id, 0.0) > now:
            return False
        self.heard[station_id] = now + HEARD_EVERY_S
        return True

    @property
    def db(self) -> Database:
        """The open database; only valid while the server runs."""
        if self._db is None:
            raise RuntimeError("the database is not open")
        return self._db

    @db.setter
    def db(self, value: Database | None) -> None:
        self._db = value
