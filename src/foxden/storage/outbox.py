"""The outbox: one row per delivery a message calls for, written in the message's transaction.

The dispatcher claims due rows, delivers them and completes or reschedules them; because the rows
are committed with the message, a crash between the two loses nothing. A claim is a lease: it
moves the row's ``due_at`` to the lease's end, so a row whose dispatcher died falls due again,
and a row is deleted only once its delivery succeeded or was given up. On PostgreSQL, claims skip
the rows another dispatcher holds locked (``FOR UPDATE SKIP LOCKED``), so any number of
dispatchers share one outbox without handing out a row twice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from foxden.storage.tables import messages, outbox


@dataclass(frozen=True, slots=True)
class Entry:
    """A delivery to make: ``event`` names what happened (``data.uplink``, ...), for a message
    or for a status event and one of its devices. ``delay_ms`` holds it back after queueing."""

    message_id: int | None
    event: str
    callback_id: str | None = None
    station_id: str | None = None
    duplicate: bool = False
    status_event_id: int | None = None
    device_id: str | None = None
    delay_ms: int = 0


@dataclass(frozen=True, slots=True)
class Claimed:
    """A due row, now leased to the dispatcher that claimed it; ``attempts`` made so far."""

    id: int
    message_id: int | None
    callback_id: str | None
    event: str
    station_id: str | None
    duplicate: bool
    attempts: int
    created_at: int
    status_event_id: int | None = None
    device_id: str | None = None


_INSERT = insert(outbox)
_CLAIMED = (
    outbox.c.id,
    outbox.c.message_id,
    outbox.c.callback_id,
    outbox.c.event,
    outbox.c.station_id,
    outbox.c.duplicate,
    outbox.c.attempts,
    outbox.c.created_at,
    outbox.c.status_event_id,
    outbox.c.device_id,
)


def enqueue(conn: Connection, entries: list[Entry], now: int) -> None:
    """Queue deliveries, due at once or after their delay."""
    if entries:
        conn.execute(_INSERT, [_row(e, now) for e in entries])


def enqueue_claimed(conn: Connection, entry: Entry, now: int, lease_ms: int) -> int:
    """Queue a delivery already claimed by its caller for ``lease_ms``: one made at once, in
    the request that queued it, which falls due for the dispatcher only if that request never
    records it (a crash). Its row id."""
    row = {**_row(entry, now), "state": "claimed", "due_at": now + lease_ms}
    return int(conn.execute(_INSERT.returning(outbox.c.id), row).scalar_one())


def _row(entry: Entry, now: int) -> dict[str, object]:
    return {
        "message_id": entry.message_id,
        "status_event_id": entry.status_event_id,
        "device_id": entry.device_id,
        "event": entry.event,
        "callback_id": entry.callback_id,
        "station_id": entry.station_id,
        "duplicate": entry.duplicate,
        "state": "queued",
        "attempts": 0,
        "due_at": now + entry.delay_ms,
        "created_at": now,
    }


def claim(
    conn: Connection, now: int, lease_ms: int, limit: int, busy: Collection[str] = ()
) -> list[Claimed]:
    """Lease up to ``limit`` due rows, oldest due first, none of the ``busy`` callbacks."""
    due = (
        select(outbox.c.id)
        .where(outbox.c.due_at <= now)
        .order_by(outbox.c.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if busy:
        due = due.where(or_(outbox.c.callback_id.is_(None), outbox.c.callback_id.not_in(busy)))
    rows = conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(state="claimed", due_at=now + lease_ms)
        .returning(*_CLAIMED)
    )
    return sorted((Claimed(*row) for row in rows), key=lambda row: row.id)


def next_due(conn: Connection) -> int | None:
    """When the next row falls due (Unix ms), or None for an empty outbox."""
    due: int | None = conn.execute(select(func.min(outbox.c.due_at))).scalar()
    return due


_DONE = delete(outbox).where(outbox.c.id.in_(bindparam("ids", expanding=True)))
_RETRY = (
    update(outbox)
    .where(outbox.c.id == bindparam("row_id"))
    .values(state="queued", due_at=bindparam("due"), attempts=bindparam("made"))
)


def done(conn: Connection, row_ids: Sequence[int]) -> None:
    """Remove rows whose delivery succeeded or was given up."""
    if row_ids:
        conn.execute(_DONE, {"ids": list(row_ids)})


def retry(conn: Connection, retries: Sequence[tuple[int, int, int]]) -> None:
    """Queue rows again: (row id, when it falls due, attempts made so far)."""
    if retries:
        conn.execute(_RETRY, [{"row_id": r, "due": due, "made": made} for r, due, made in retries])


def release(conn: Connection, row_ids: Sequence[int], now: int) -> None:
    """Hand claimed rows back, due at once: their dispatcher stopped before delivering them."""
    if row_ids:
        conn.execute(
            update(outbox).where(outbox.c.id.in_(list(row_ids))).values(state="queued", due_at=now)
        )


def replay(
    conn: Connection,
    callback_id: str,
    event: str,
    device_type_id: str,
    kinds: Collection[str],
    since: int,
    before: int,
    now: int,
) -> int:
    """Queue one delivery to a callback for each forwarded message of the device type, of the
    frame ``kinds``, sent in [since, before) (Unix ms); how many were queued."""
    chosen = select(
        messages.c.id,
        literal(callback_id),
        literal(event),
        literal(False),
        literal("queued"),
        literal(0),
        literal(now),
        literal(now),
    ).where(
        and_(
            messages.c.device_type_id == device_type_id,
            messages.c.time >= since,
            messages.c.time < before,
            messages.c.forwarded.is_(True),
            messages.c.kind.in_(list(kinds)),
        )
    )
    columns = [
        "message_id",
        "callback_id",
        "event",
        "duplicate",
        "state",
        "attempts",
        "due_at",
        "created_at",
    ]
    return conn.execute(insert(outbox).from_select(columns, chosen)).rowcount
