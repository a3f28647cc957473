"""Callbacks of a device type: where the messages of its devices are forwarded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    bindparam,
    case,
    insert,
    select,
    update,
)
from sqlalchemy import delete as delete_rows

from foxden.domain.clock import now_ms
from foxden.domain.ids import new_object_id
from foxden.storage.tables import callbacks


@dataclass(frozen=True, slots=True)
class Callback:
    """A stored callback; ``settings`` holds its channel's own fields."""

    id: str
    device_type_id: str
    channel: str
    callback_type: int
    callback_subtype: int
    enabled: bool = True
    send_duplicate: bool = False
    downlink_hook: bool = False
    dead: bool = False
    payload_config: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    # The key that signs each request (HMAC-SHA256), if any; never shown through an API.
    signing_secret: str | None = None


def create(
    conn: Connection,
    device_type_id: str,
    channel: str,
    callback_type: int,
    callback_subtype: int,
    *,
    enabled: bool = True,
    send_duplicate: bool = False,
    payload_config: str | None = None,
    settings: dict[str, Any] | None = None,
    signing_secret: str | None = None,
) -> Callback:
    """Create a callback on a device type and return it."""
    callback = Callback(
        id=new_object_id(),
        device_type_id=device_type_id,
        channel=channel,
        callback_type=callback_type,
        callback_subtype=callback_subtype,
        enabled=enabled,
        send_duplicate=send_duplicate,
        payload_config=payload_config,
        settings=dict(settings or {}),
        signing_secret=signing_secret,
    )
    conn.execute(
        insert(callbacks).values(
            id=callback.id,
            device_type_id=device_type_id,
            channel=channel,
            callback_type=callback_type,
            callback_subtype=callback_subtype,
            enabled=enabled,
            send_duplicate=send_duplicate,
            downlink_hook=False,
            dead=False,
            payload_config=payload_config,
            settings=callback.settings,
            signing_secret=signing_secret,
            created_at=now_ms(),
        )
    )
    return callback


def find(conn: Connection, device_type_id: str) -> list[Callback]:
    """Every callback of a device type, in creation order."""
    rows = conn.execute(
        select(callbacks)
        .where(callbacks.c.device_type_id == device_type_id)
        .order_by(callbacks.c.created_at, callbacks.c.id)
    ).mappings()
    return [_to_callback(row) for row in rows]


def get(conn: Connection, device_type_id: str, callback_id: str) -> Callback | None:
    """The callback with this id if it belongs to the device type, else None."""
    row = (
        conn.execute(select(callbacks).where(*_one(device_type_id, callback_id))).mappings().first()
    )
    return _to_callback(row) if row else None


def delete(conn: Connection, device_type_id: str, callback_id: str) -> bool:
    """Delete the callback if it belongs to the device type; whether it did."""
    return (
        conn.execute(delete_rows(callbacks).where(*_one(device_type_id, callback_id))).rowcount > 0
    )


def enable(conn: Connection, device_type_id: str, callback_id: str, enabled: bool) -> bool:
    """Enable or disable the callback if it belongs to the device type; whether it did."""
    result = conn.execute(
        update(callbacks).where(*_one(device_type_id, callback_id)).values(enabled=enabled)
    )
    return result.rowcount > 0


def select_downlink(conn: Connection, device_type_id: str, callback_id: str) -> None:
    """Make this callback the device type's only downlink callback.

    One statement sets the flag on every callback of the type at once, so two concurrent
    selections cannot leave two selected: the later one waits for the earlier one's row locks.
    """
    conn.execute(
        update(callbacks)
        .where(callbacks.c.device_type_id == device_type_id)
        .values(downlink_hook=case((callbacks.c.id == callback_id, True), else_=False))
    )


def by_ids(conn: Connection, callback_ids: Collection[str]) -> dict[str, Callback]:
    """The callbacks with these ids that exist, by id."""
    if not callback_ids:
        return {}
    rows = conn.execute(select(callbacks).where(callbacks.c.id.in_(callback_ids))).mappings()
    return {row["id"]: _to_callback(row) for row in rows}


def set_dead(conn: Connection, callback_id: str, dead: bool) -> bool:
    """Mark the callback dead (its last delivery was given up) or alive again; whether that
    changed it, so that one change makes one alert however many workers see it."""
    result = conn.execute(
        update(callbacks)
        .where(callbacks.c.id == callback_id, callbacks.c.dead.is_(not dead))
        .values(dead=dead)
    )
    return result.rowcount > 0


def _one(device_type_id: str, callback_id: str) -> tuple[ColumnElement[bool], ...]:
    return (callbacks.c.device_type_id == device_type_id, callbacks.c.id == callback_id)


def find_enabled(
    conn: Connection, device_type_id: str, kinds: Collection[tuple[int, int]]
) -> list[Callback]:
    """The enabled callbacks of a device type whose (type, subtype) is one of ``kinds``."""
    if not kinds:
        return []
    wanted = set(kinds)
    rows = conn.execute(_ENABLED, {"device_type_id": device_type_id}).mappings()
    return [
        _to_callback(row)
        for row in rows
        if (row["callback_type"], row["callback_subtype"]) in wanted
    ]


# Run for every uplink: built once, and filtered here rather than with a tuple IN, whose
# expanding parameters SQLAlchemy renders anew at each call.
_ENABLED = (
    select(callbacks)
    .where(callbacks.c.device_type_id == bindparam("device_type_id"), callbacks.c.enabled.is_(True))
    .order_by(callbacks.c.id)
)


def _to_callback(row: RowMapping) -> Callback:
    return Callback(
        id=row["id"],
        device_type_id=row["device_type_id"],
        channel=row["channel"],
        callback_type=row["callback_type"],
        callback_subtype=row["callback_subtype"],
        enabled=row["enabled"],
        send_duplicate=row["send_duplicate"],
        downlink_hook=row["downlink_hook"],
        dead=row["dead"],
        payload_config=row["payload_config"],
        settings=dict(row["settings"]),
        signing_secret=row["signing_secret"],
    )
