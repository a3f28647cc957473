"""Harvest Data reads: the messages written to Harvest, and the devices that have some.

Entries page by keyset on (time, id) in either direction, so a page deep in a device's history
costs what the first one costs, and two frames in the same millisecond are both returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, or_, select

from foxden.domain.messages import Message
from foxden.storage.device_types import ids_within
from foxden.storage.messages import to_message
from foxden.storage.tables import devices, messages


@dataclass(frozen=True, slots=True)
class After:
    """Where the previous page ended: its last entry's time (ms) and, to break a tie between
    entries of the same millisecond, its message id (None: no tie to break)."""

    time: int
    message_id: int | None = None


def entries(
    conn: Connection,
    device_id: str,
    *,
    since: int | None,
    until: int | None,
    ascending: bool,
    after: After | None,
    limit: int,
) -> list[Message]:
    """Up to ``limit`` of the device's Harvest entries with a time in [since, until] ms, in
    time order (oldest first if ``ascending``), those past ``after`` only."""
    query = select(messages).where(messages.c.device_id == device_id, messages.c.harvested)
    if since is not None:
        query = query.where(messages.c.time >= since)
    if until is not None:
        query = query.where(messages.c.time <= until)
    if after is not None:
        past = messages.c.time > after.time if ascending else messages.c.time < after.time
        if after.message_id is not None:
            tie = (
                messages.c.id > after.message_id if ascending else messages.c.id < after.message_id
            )
            past = or_(past, and_(messages.c.time == after.time, tie))
        query = query.where(past)
    order = (
        (messages.c.time.asc(), messages.c.id.asc())
        if ascending
        else (messages.c.time.desc(), messages.c.id.desc())
    )
    rows = conn.execute(query.order_by(*order).limit(limit)).mappings()
    return [to_message(row, ()) for row in rows]


def resources(
    conn: Connection, group_id: str, *, after: str | None, limit: int
) -> list[tuple[str, int]]:
    """Up to ``limit`` (device id, time of its last Harvest write) of the devices of
    ``group_id`` and below that have Harvest entries, by device id after ``after``."""
    query = select(devices.c.id, devices.c.harvested_at).where(
        devices.c.device_type_id.in_(ids_within(group_id)), devices.c.harvested_at.is_not(None)
    )
    if after is not None:
        query = query.where(devices.c.id > after)
    rows = conn.execute(query.order_by(devices.c.id).limit(limit))
    return [(row.id, row.harvested_at) for row in rows]
