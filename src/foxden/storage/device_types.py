"""Device types, owned by a group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from foxden.domain.clock import now_ms
from foxden.domain.device_types import DeviceType, DownlinkMode, PayloadType
from foxden.domain.ids import new_object_id
from foxden.storage.tables import device_types, group_tree


def create(
    conn: Connection,
    group_id: str,
    name: str,
    *,
    description: str = "",
    keep_alive: int = 0,
    payload_type: PayloadType = PayloadType.NONE,
    payload_config: str | None = None,
    downlink_mode: DownlinkMode = DownlinkMode.DIRECT,
    downlink_data_string: str | None = None,
    alert_email: str | None = None,
    contract_id: str | None = None,
) -> DeviceType:
    """Create a device type in ``group_id`` and return it."""
    device_type = DeviceType(
        id=new_object_id(),
        group_id=group_id,
        name=name,
        description=description,
        keep_alive=keep_alive,
        payload_type=payload_type,
        payload_config=payload_config,
        downlink_mode=downlink_mode,
        downlink_data_string=downlink_data_string,
        alert_email=alert_email,
        contract_id=contract_id,
        created_at=now_ms(),
    )
    conn.execute(
        insert(device_types).values(
            id=device_type.id,
            group_id=group_id,
            name=name,
            description=description,
            keep_alive=keep_alive,
            payload_type=payload_type.value,
            payload_config=payload_config,
            downlink_mode=int(downlink_mode),
            downlink_data_string=downlink_data_string,
            alert_email=alert_email,
            contract_id=contract_id,
            sequence_epoch=0,
            created_at=device_type.created_at,
        )
    )
    return device_type


def disengage(conn: Connection, device_type_id: str) -> None:
    """Let the next frame of each device of the type pass the sequence number check."""
    conn.execute(
        update(device_types)
        .where(device_types.c.id == device_type_id)
        .values(sequence_epoch=device_types.c.sequence_epoch + 1)
    )


def get(conn: Connection, device_type_id: str) -> DeviceType | None:
    """The device type with this id, or None."""
    row = (
        conn.execute(select(device_types).where(device_types.c.id == device_type_id))
        .mappings()
        .first()
    )
    return to_device_type(row) if row else None


def of_group(
    conn: Connection,
    group_id: str,
    *,
    include_sub_groups: bool = False,
    contract_id: str | None = None,
) -> list[DeviceType]:
    """The device types of a group (and of every group below it), by id; those of one contract
    when ``contract_id`` is given."""
    query = select(device_types).order_by(device_types.c.id)
    if include_sub_groups:
        below = select(group_tree.c.descendant_id).where(group_tree.c.ancestor_id == group_id)
        query = query.where(device_types.c.group_id.in_(below))
    else:
        query = query.where(device_types.c.group_id == group_id)
    if contract_id is not None:
        query = query.where(device_types.c.contract_id == contract_id)
    return [to_device_type(row) for row in conn.execute(query).mappings()]


def ids_within(group_id: str) -> Select[tuple[str]]:
    """A subquery of the ids of the device types of ``group_id`` and every group below it."""
    below = select(group_tree.c.descendant_id).where(group_tree.c.ancestor_id == group_id)
    return select(device_types.c.id).where(device_types.c.group_id.in_(below))


def save(conn: Connection, device_type: DeviceType) -> None:
    """Store the editable fields of ``device_type`` (seed 002 "Device type edition")."""
    conn.execute(
        update(device_types)
        .where(device_types.c.id == device_type.id)
        .values(
            name=device_type.name,
            description=device_type.description,
            keep_alive=device_type.keep_alive,
            payload_type=device_type.payload_type.value,
            payload_config=device_type.payload_config,
            downlink_mode=int(device_type.downlink_mode),
            downlink_data_string=device_type.downlink_data_string,
            alert_email=device_type.alert_email,
        )
    )


def to_device_type(row: Mapping[Any, Any]) -> DeviceType:
    """The device type of a row of ``device_types``."""
    return DeviceType(
        id=row["id"],
        group_id=row["group_id"],
        name=row["name"],
        description=row["description"],
        keep_alive=row["keep_alive"],
        payload_type=PayloadType(row["payload_type"]),
        payload_config=row["payload_config"],
        downlink_mode=DownlinkMode(row["downlink_mode"]),
        downlink_data_string=row["downlink_data_string"],
        alert_email=row["alert_email"],
        contract_id=row["contract_id"],
        created_at=row["created_at"],
        sequence_epoch=row["sequence_epoch"],
    )
