"""The downlink queue: 8-byte payloads waiting for a device's next frame that asks for one.

A queued downlink is ``pending`` until a frame of its device with ``ack`` takes it (``sent``),
then ``acked`` or ``failed`` by the device's next ACKNOWLEDGE frame. One that waits past its
expiry is ``expired``; in replace mode (Soracom's one slot) a newer one makes the waiting one
``replaced``; its owner may cancel it (``cancelled``). The oldest pending one goes first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from sqlalchemy import Connection, RowMapping, and_, insert, or_, select, update

from foxden.storage.tables import downlinks


class State(enum.StrEnum):
    """Where a queued downlink is in its life."""

    PENDING = "pending"
    SENT = "sent"
    ACKED = "acked"
    FAILED = "failed"
    EXPIRED = "expired"
    REPLACED = "replaced"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Downlink:
    """A queued downlink; times in Unix ms, ``data`` 16 lower-case hex digits."""

    id: int
    device_id: str
    data: str
    state: State
    created_at: int
    expires_at: int | None
    message_id: int | None = None
    sent_at: int | None = None
    settled_at: int | None = None


def enqueue(
    conn: Connection,
    device_id: str,
    data: str,
    now: int,
    expires_at: int | None,
    *,
    replace: bool = False,
) -> Downlink:
    """Queue ``data`` for the device; with ``replace``, the one waiting (if any) is replaced."""
    if replace:
        conn.execute(
            update(downlinks)
            .where(downlinks.c.device_id == device_id, downlinks.c.state == State.PENDING)
            .values(state=State.REPLACED, settled_at=now)
        )
    row_id = conn.execute(
        insert(downlinks)
        .values(
            device_id=device_id,
            data=data.lower(),
            state=State.PENDING,
            created_at=now,
            expires_at=expires_at,
        )
        .returning(downlinks.c.id)
    ).scalar_one()
    return Downlink(int(row_id), device_id, data.lower(), State.PENDING, now, expires_at)


def take(conn: Connection, device_id: str, message_id: int, now: int) -> Downlink | None:
    """The device's oldest pending downlink, now sent with ``message_id``; those that expired
    on the way are marked so. One read when nothing waits: it runs for every frame with ack."""
    rows = (
        conn.execute(
            select(downlinks)
            .where(downlinks.c.device_id == device_id, downlinks.c.state == State.PENDING)
            .order_by(downlinks.c.id)
        )
        .mappings()
        .all()
    )
    expired = [row["id"] for row in rows if _expired(row, now)]
    if expired:
        conn.execute(
            update(downlinks)
            .where(downlinks.c.id.in_(expired))
            .values(state=State.EXPIRED, settled_at=now)
        )
    row = next((row for row in rows if not _expired(row, now)), None)
    if row is None:
        return None
    conn.execute(
        update(downlinks)
        .where(downlinks.c.id == row["id"])
        .values(state=State.SENT, message_id=message_id, sent_at=now)
    )
    return replace(_to_downlink(row), state=State.SENT, message_id=message_id, sent_at=now)


def _expired(row: RowMapping, now: int) -> bool:
    return row["expires_at"] is not None and row["expires_at"] <= now


def settle(conn: Connection, message_id: int, acked: bool, now: int) -> Downlink | None:
    """The queued downlink sent with ``message_id``, if any, now acked or failed as the
    device's ACKNOWLEDGE frame says."""
    row = (
        conn.execute(
            select(downlinks).where(
                downlinks.c.message_id == message_id, downlinks.c.state == State.SENT
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    state = State.ACKED if acked else State.FAILED
    conn.execute(
        update(downlinks).where(downlinks.c.id == row["id"]).values(state=state, settled_at=now)
    )
    return replace(_to_downlink(row), state=state, settled_at=now)


def of_device(conn: Connection, device_id: str, now: int, limit: int = 100) -> list[Downlink]:
    """The device's downlinks, newest first; a pending one past its expiry reads as expired."""
    rows = (
        conn.execute(
            select(downlinks)
            .where(downlinks.c.device_id == device_id)
            .order_by(downlinks.c.id.desc())
            .limit(limit)
        )
        .mappings()
        .all()
    )
    return [_to_downlink(row, now) for row in rows]


def get(conn: Connection, device_id: str, downlink_id: int, now: int) -> Downlink | None:
    """One downlink of the device, or None."""
    row = (
        conn.execute(
            select(downlinks).where(
                downlinks.c.id == downlink_id, downlinks.c.device_id == device_id
            )
        )
        .mappings()
        .first()
    )
    return _to_downlink(row, now) if row is not None else None


def cancel(conn: Connection, device_id: str, downlink_id: int, now: int) -> bool:
    """Cancel a downlink still waiting; False if there is no such pending one."""
    result = conn.execute(
        update(downlinks)
        .where(
            downlinks.c.id == downlink_id,
            downlinks.c.device_id == device_id,
            downlinks.c.state == State.PENDING,
            or_(downlinks.c.expires_at.is_(None), downlinks.c.expires_at > now),
        )
        .values(state=State.CANCELLED, settled_at=now)
    )
    return bool(result.rowcount)


def waiting(conn: Connection, device_id: str, now: int) -> Downlink | None:
    """The downlink the device's next frame with ``ack`` would take, if any."""
    row = (
        conn.execute(
            select(downlinks)
            .where(
                and_(
                    downlinks.c.device_id == device_id,
                    downlinks.c.state == State.PENDING,
                    or_(downlinks.c.expires_at.is_(None), downlinks.c.expires_at > now),
                )
            )
            .order_by(downlinks.c.id)
            .limit(1)
        )
        .mappings()
        .first()
    )
    return _to_downlink(row) if row is not None else None


def _to_downlink(row: RowMapping, now: int | None = None) -> Downlink:
    state = State(row["state"])
    expires_at = row["expires_at"]
    if now is not None and state is State.PENDING and _expired(row, now):
        state = State.EXPIRED
    return Downlink(
        id=row["id"],
        device_id=row["device_id"],
        data=row["data"],
        state=state,
        created_at=row["created_at"],
        expires_at=expires_at,
        message_id=row["message_id"],
        sent_at=row["sent_at"],
        settled_at=row["settled_at"],
    )
