"""The silence monitor: every ``monitor_interval_s`` it looks for what has gone quiet.

- **Devices**: a device whose type has a keepAlive carries ``silence_at``, its last message's
  time plus the keepAlive, kept by ingest. A look takes the devices whose ``silence_at`` has
  passed through its index, ``chunk`` at a time, and in each chunk's transaction raises one
  ERROR status event per device (at its ``silence_at``: "No message received since …"),
  clearing ``silence_at`` and setting ``silent_since``. Each breach is declared exactly once,
  whatever the restarts; ingest ends the silence when the device is heard again.
- **Stations**: a station heard at least once and silent for ``station_silence_s`` is marked
  down, and the devices whose last message it received get one WARN status event per device
  type, with the network warning. Ingest marks it up again when it reports a frame.

Both kinds of events queue the device type's ERROR callbacks in the same transaction.
Several processes may watch one PostgreSQL database: rows are claimed by their update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from foxden.config import Settings
from foxden.domain.clock import now_ms
from foxden.domain.status_events import NETWORK_WARNING, Severity, communication_lost
from foxden.storage import devices, stations, status_events
from foxden.storage.db import Database

log = logging.getLogger(__name__)

# Devices declared lost per transaction: bounds how long one holds the writer.
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Tick:
    """What one look did: the devices declared lost and their ERROR events' ids, one each in
    the same order; the stations taken as down and the ids of the WARN events raised for them."""

    lost: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    down: tuple[str, ...] = ()
    warnings: tuple[int, ...] = ()


def _lose(conn: Connection, now: int, limit: int) -> list[tuple[str, int]]:
    """Declare up to ``limit`` due devices lost: (device id, its ERROR event id) each."""
    return [
        (
            lost.device_id,
            status_events.raise_event(
                conn,
                lost.device_type_id,
                Severity.ERROR,
                lost.silence_at,
                communication_lost(lost.last_seen_at),
                [lost.device_id],
                now,
            ),
        )
        for lost in devices.declare_lost(conn, now, limit)
    ]


def _take_down(conn: Connection, now: int, silence_ms: int) -> tuple[list[str], list[int]]:
    """Mark silent stations down and warn the device types of the devices they last heard."""
    down = stations.declare_down(conn, now, silence_ms)
    events = [
        status_events.raise_event(
            conn, device_type_id, Severity.WARN, since, NETWORK_WARNING, device_ids, now
        )
        for station_id, since in down
        for device_type_id, device_ids in devices.last_heard_by(conn, station_id).items()
    ]
    return [station_id for station_id, _ in down], events


class Monitor:
    """Watches the devices and stations of ``db``; ``wake`` is set when callbacks are queued."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        clock: Callable[[], int] = now_ms,
        wake: asyncio.Event | None = None,
        chunk: int = CHUNK,
    ) -> None:
        self._db = db
        self._interval = settings.monitor_interval_s
        self._station_silence_ms = settings.station_silence_s * 1000
        self._clock = clock
        self._wake = wake
        self._chunk = chunk
        self._main: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start looking in the background."""
        self._main = asyncio.create_task(self.run(), name="foxden-monitor")

    async def stop(self) -> None:
        """Stop; what a look already committed stays, the rest is for the next start."""
        if self._main is not None:
            self._main.cancel()
            await asyncio.wait([self._main])
            self._main = None

    async def run(self) -> None:
        """Look every ``monitor_interval_s`` until cancelled; a failed look is logged and the
        next one happens all the same."""
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("the silence monitor's look failed; looking again later")
            await asyncio.sleep(self._interval)

    async def tick(self) -> Tick:
        """One look at the devices, then at the stations."""
        now = self._clock()
        lost: list[tuple[str, int]] = []
        while True:
            chunk = await self._db.write(_lose, now, self._chunk)
            lost += chunk
            self._queued(bool(chunk))
            if len(chunk) < self._chunk:
                break
        down, warnings = await self._db.write(_take_down, now, self._station_silence_ms)
        self._queued(bool(warnings))
        return Tick(
            tuple(device_id for device_id, _ in lost),
            tuple(event_id for _, event_id in lost),
            tuple(down),
            tuple(warnings),
        )

    def _queued(self, raised: bool) -> None:
        """Wake the dispatcher once events (and maybe their callbacks) are committed."""
        if raised and self._wake is not None:
            self._wake.set()
