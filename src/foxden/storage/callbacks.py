"""Callbacks of a device type: where the messages of its devices are forwarded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, insert, select

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
            created_at=now_ms(),
        )
    )
    return callback


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
    )
