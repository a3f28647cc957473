"""Devices: the Sigfox and the Soracom view of a device are two readings of one row."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, bindparam, func, insert, select, update

from foxden.domain.clock import now_ms
from foxden.domain.device_types import DeviceType
from foxden.domain.devices import (
    Device,
    DeviceState,
    LinkQuality,
    SoracomStatus,
    Token,
    TokenType,
)
from foxden.domain.errors import Conflict
from foxden.storage.device_types import to_device_type
from foxden.storage.tables import device_types, devices, group_tree


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
            sequence_epoch=0,
            link_window=[],
            created_at=now,
            modified_at=now,
        )
    )
    return device


def get(conn: Connection, device_id: str) -> Device | None:
    """The device with this id, or None."""
    row = conn.execute(select(devices).where(devices.c.id == device_id)).mappings().first()
    return _to_device(row) if row else None


# The two statements of every uplink, built once.
_FOR_INGEST = (
    select(devices, *[c.label(f"type_{c.name}") for c in device_types.c])
    .join(device_types, device_types.c.id == devices.c.device_type_id)
    .where(devices.c.id == bindparam("device_id"))
    .with_for_update(of=devices)
)
_UPDATE = update(devices).where(devices.c.id == bindparam("device_id_"))


def for_ingest(conn: Connection, device_id: str) -> tuple[Device, DeviceType] | None:
    """A device and its type, the device row locked until the transaction ends (PostgreSQL;
    SQLite's single writer serializes anyway), so one frame's receptions never race."""
    row = conn.execute(_FOR_INGEST, {"device_id": device_id}).mappings().first()
    if row is None:
        return None
    type_row = {c.name: row[f"type_{c.name}"] for c in device_types.c}
    return _to_device(row), to_device_type(type_row)


def update_state(conn: Connection, device_id: str, **values: object) -> None:
    """Set columns of a device, such as those the ingest keeps current."""
    conn.execute(_UPDATE, {"device_id_": device_id, **values})


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
        sequence_epoch=row["sequence_epoch"],
        last_message_id=row["last_message_id"],
        last_rssi=row["last_rssi"],
        last_snr=row["last_snr"],
        link_window=tuple((s, r) for s, r in row["link_window"]),
        average_snr=row["average_snr"],
        average_rssi=row["average_rssi"],
        link_quality=LinkQuality(row["link_quality"]) if row["link_quality"] else None,
        soracom_status=SoracomStatus(row["soracom_status"]),
        soracom_group_id=row["soracom_group_id"],
        tags=dict(row["tags"]),
        termination_enabled=row["termination_enabled"],
    )


def find_for_simulation(
    conn: Connection, group_id: str | None = None
) -> list[tuple[Device, DeviceType]]:
    """Every device with its type, by id; only those of ``group_id`` and below when given."""
    query = (
        select(devices, *[c.label(f"type_{c.name}") for c in device_types.c])
        .join(device_types, device_types.c.id == devices.c.device_type_id)
        .order_by(devices.c.id)
    )
    if group_id is not None:
        below = select(group_tree.c.descendant_id).where(group_tree.c.ancestor_id == group_id)
        query = query.where(device_types.c.group_id.in_(below))
    return [
        (_to_device(row), to_device_type({c.name: row[f"type_{c.name}"] for c in device_types.c}))
        for row in conn.execute(query).mappings()
    ]
