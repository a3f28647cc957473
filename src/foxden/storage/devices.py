"""Devices: the Sigfox and the Soracom view of a device are two readings of one row."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, func, insert, select

from foxden.domain.clock import now_ms
from foxden.domain.devices import (
    Device,
    DeviceState,
    LinkQuality,
    SoracomStatus,
    Token,
    TokenType,
)
from foxden.domain.errors import Conflict
from foxden.storage.tables import devices


def create(
    conn: Connection,
    device_id: str,
    device_type_id: str,
    pac: str,
    *,
    name: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    token: Token | None = None,
    tags: dict[str, str] | None = None,
) -> Device:
    """Register a device under a device type and return it."""
    if get(conn, device_id) is not None:
        raise Conflict(f"device {device_id} exists already")
    now = now_ms()
    device = Device(
        id=device_id,
        device_type_id=device_type_id,
        name=name if name is not None else f"Device {device_id}",
        pac=pac,
        created_at=now,
        modified_at=now,
        lat=lat,
        lng=lng,
        token=token,
        tags=dict(tags or {}),
    )
    conn.execute(
        insert(devices).values(
            id=device.id,
            device_type_id=device_type_id,
            name=device.name,
            pac=pac,
            state=int(device.state),
            lat=lat,
            lng=lng,
            token_type=token.type.value if token else None,
            contract_id=token.contract_id if token else None,
            activation_time=token.activation_time if token else None,
            token_end=token.end if token else None,
            free_messages=token.free_messages if token else None,
            prevent_renewal=token.prevent_renewal if token else False,
            soracom_status=device.soracom_status.value,
            tags=device.tags,
            termination_enabled=device.termination_enabled,
            created_at=now,
            modified_at=now,
        )
    )
    return device


def get(conn: Connection, device_id: str) -> Device | None:
    """The device with this id, or None."""
    row = conn.execute(select(devices).where(devices.c.id == device_id)).mappings().first()
    return _to_device(row) if row else None


def count(conn: Connection, device_type_id: str) -> int:
    """How many devices a device type has."""
    return conn.execute(
        select(func.count()).select_from(devices).where(devices.c.device_type_id == device_type_id)
    ).scalar_one()


def _to_device(row: RowMapping) -> Device:
    token = None
    if row["token_type"] is not None:
        token = Token(
            type=TokenType(row["token_type"]),
            contract_id=row["contract_id"],
            activation_time=row["activation_time"],
            end=row["token_end"],
            free_messages=row["free_messages"],
            prevent_renewal=row["prevent_renewal"],
        )
    return Device(
        id=row["id"],
        device_type_id=row["device_type_id"],
        name=row["name"],
        pac=row["pac"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        state=DeviceState(row["state"]),
        lat=row["lat"],
        lng=row["lng"],
        token=token,
        last_seen_at=row["last_seen_at"],
        last_seq_number=row["last_seq_number"],
        average_snr=row["average_snr"],
        average_rssi=row["average_rssi"],
        link_quality=LinkQuality(row["link_quality"]) if row["link_quality"] else None,
        soracom_status=SoracomStatus(row["soracom_status"]),
        soracom_group_id=row["soracom_group_id"],
        tags=dict(row["tags"]),
        termination_enabled=row["termination_enabled"],
    )
