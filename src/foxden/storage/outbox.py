"""The outbox: one row per delivery a message calls for, written in the message's transaction.

The dispatcher claims due rows, delivers them and completes or reschedules them; because the rows
are committed with the message, a crash between the two loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert

from foxden.storage.tables import outbox


@dataclass(frozen=True, slots=True)
class Entry:
    """A delivery to make: ``event`` names what happened (``data.uplink``, ...)."""

    message_id: int
    event: str
    callback_id: str | None = None
    station_id: str | None = None
    duplicate: bool = False


_INSERT = insert(outbox)


def enqueue(conn: Connection, entries: list[Entry], now: int) -> None:
    """Queue deliveries, due at once."""
    if entries:
        conn.execute(
            _INSERT,
            [
                {
                    "message_id": e.message_id,
                    "event": e.event,
                    "callback_id": e.callback_id,
                    "station_id": e.station_id,
                    "duplicate": e.duplicate,
                    "state": "queued",
                    "attempts": 0,
                    "due_at": now,
                    "created_at": now,
                }
                for e in entries
            ],
        )
