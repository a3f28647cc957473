"""The record of each callback delivery attempt: what was sent and what came back.

The dispatcher writes one row per attempt; the Sigfox API reads them as a message's
``cbStatus``, a status event's ``callbacks`` and the failed-callback log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select

from foxden.storage.tables import callback_attempts


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery attempt. ``status`` is the HTTP status, or 600 when there was none.

    ``request`` holds what was sent (url, method, headers, body, contentType for HTTP;
    subject, recipient, message for EMAIL); ``failed`` marks the attempt after which the
    delivery was given up.
    """

    callback_id: str
    channel: str
    device_type_id: str
    event_time: int
    time: int
    status: int
    info: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    failed: bool = False
    device_id: str | None = None
    message_id: int | None = None
    status_event_id: int | None = None
    id: int | None = None


def record(conn: Connection, attempt: Attempt) -> int:
    """Store an attempt; return its id."""
    values = {name: getattr(attempt, name) for name in Attempt.__slots__ if name != "id"}
    return int(
        conn.execute(
            insert(callback_attempts).values(**values).returning(callback_attempts.c.id)
        ).scalar_one()
    )


def for_messages(conn: Connection, message_ids: Sequence[int]) -> dict[int, list[Attempt]]:
    """The attempts made for each of these messages, oldest first."""
    if not message_ids:
        return {}
    rows = conn.execute(
        select(callback_attempts)
        .where(callback_attempts.c.message_id.in_(message_ids))
        .order_by(callback_attempts.c.id)
    ).mappings()
    found: dict[int, list[Attempt]] = defaultdict(list)
    for row in rows:
        found[row["message_id"]].append(to_attempt(row))
    return dict(found)


def for_status_events(conn: Connection, event_ids: Sequence[int]) -> dict[int, list[Attempt]]:
    """The attempts made for each of these status events, oldest first."""
    if not event_ids:
        return {}
    rows = conn.execute(
        select(callback_attempts)
        .where(callback_attempts.c.status_event_id.in_(event_ids))
        .order_by(callback_attempts.c.id)
    ).mappings()
    found: dict[int, list[Attempt]] = defaultdict(list)
    for row in rows:
        found[row["status_event_id"]].append(to_attempt(row))
    return dict(found)


def to_attempt(row: RowMapping) -> Attempt:
    """The attempt of a row of ``callback_attempts``."""
    return Attempt(**{name: row[name] for name in Attempt.__slots__})
