"""The record of each callback delivery attempt: what was sent and what came back.

The dispatcher writes one row per attempt; the Sigfox API reads them as a message's
``cbStatus``, a status event's ``callbacks`` and the failed-callback log (the attempts after
which a message's delivery was given up, newest message first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, Select, insert, select, true

from foxden.storage.tables import callback_attempts, device_types, group_tree, messages


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
    return int(
        conn.execute(
            insert(callback_attempts).values(**_values(attempt)).returning(callback_attempts.c.id)
        ).scalar_one()
    )


_INSERT = insert(callback_attempts)


def record_all(conn: Connection, attempts: Sequence[Attempt]) -> None:
    """Store attempts in one statement."""
    if attempts:
        conn.execute(_INSERT, [_values(attempt) for attempt in attempts])


def _values(attempt: Attempt) -> dict[str, Any]:
    return {name: getattr(attempt, name) for name in Attempt.__slots__ if name != "id"}


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


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """A message whose delivery to a callback was given up: the last attempt, and the message's
    device, ``data`` and best ``snr``."""

    attempt: Attempt
    device_id: str
    data: str
    snr: float | None


@dataclass(frozen=True, slots=True)
class Devices:
    """Whose failures to read: the devices matching every id given (a group means the device
    types of that group and of the groups below it)."""

    group_id: str | None = None
    device_type_id: str | None = None
    device_id: str | None = None


_FAILED = (
    select(
        callback_attempts,
        messages.c.device_id.label("message_device_id"),
        messages.c.data,
        messages.c.snr,
    )
    .join(messages, messages.c.id == callback_attempts.c.message_id)
    .where(callback_attempts.c.failed == true())
    .order_by(callback_attempts.c.event_time.desc(), callback_attempts.c.id.desc())
)


def failed_deliveries(
    conn: Connection,
    devices: Devices,
    *,
    since: int,
    before: int | None,
    limit: int,
    offset: int = 0,
) -> list[FailedDelivery]:
    """A page of the given-up deliveries of the messages of ``devices`` sent in
    [since, before) (Unix ms), newest message first."""
    query = _FAILED.where(callback_attempts.c.event_time >= since)
    if before is not None:
        query = query.where(callback_attempts.c.event_time < before)
    if devices.group_id is not None:
        within = _device_types_within(devices.group_id)
        query = query.where(callback_attempts.c.device_type_id.in_(within))
    if devices.device_type_id is not None:
        query = query.where(callback_attempts.c.device_type_id == devices.device_type_id)
    if devices.device_id is not None:
        query = query.where(callback_attempts.c.device_id == devices.device_id)
    rows = conn.execute(query.limit(limit).offset(offset)).mappings()
    return [
        FailedDelivery(to_attempt(row), row["message_device_id"], row["data"], row["snr"])
        for row in rows
    ]


def _device_types_within(group_id: str) -> Select[tuple[str]]:
    return (
        select(device_types.c.id)
        .join(group_tree, group_tree.c.descendant_id == device_types.c.group_id)
        .where(group_tree.c.ancestor_id == group_id)
    )


def to_attempt(row: RowMapping) -> Attempt:
    """The attempt of a row of ``callback_attempts``."""
    return Attempt(**{name: row[name] for name in Attempt.__slots__})
