"""The outbox: one row per delivery a message calls for, written in the message's transaction.

The dispatcher claims due rows, delivers them and completes or reschedules them; because the rows
are committed with the message, a crash between the two loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from foxden.storage.tables import outbox


@dataclass(frozen=True, slots=True)
class Entry:
    """A delivery to make: ``event`` names what happened (``data.uplink``, ...)."""

    message_id: int
    event: str
    callback_id: str | None = None
    station_id: str | None = None
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """A stored outbox row."""

    id: int
    message_id: int
    event: str
    callback_id: str | None
    station_id: str | None
    duplicate: bool
    state: str
    attempts: int
    due_at: int


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


def find_for_message(conn: Connection, message_id: int) -> list[Row]:
    """Every outbox row of a message, oldest first."""
    rows = conn.execute(
        select(
            outbox.c.id,
            outbox.c.message_id,
            outbox.c.event,
            outbox.c.callback_id,
            outbox.c.station_id,
            outbox.c.duplicate,
            outbox.c.state,
            outbox.c.attempts,
            outbox.c.due_at,
        )
        .where(outbox.c.message_id == message_id)
        .order_by(outbox.c.id)
    )
    return [Row(*row) for row in rows]
