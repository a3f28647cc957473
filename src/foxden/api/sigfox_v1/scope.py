"""What a principal may see: the objects of its group and of the groups below it.

Another tenant's object is answered exactly as an unknown one, 404, so that credentials never
learn which ids exist elsewhere (device ids are short enough to enumerate).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from sqlalchemy import Connection

from foxden.domain.device_types import DeviceType
from foxden.domain.devices import Device
from foxden.domain.errors import InvalidInput, NotFound
from foxden.domain.groups import Group
from foxden.domain.ids import device_id as canonical_device_id
from foxden.domain.ids import is_object_id
from foxden.domain.principals import Principal
from foxden.storage import device_types, devices, groups

# The path parameters naming the objects resolved here, as seed 002 describes them.
DeviceTypeId = Annotated[
    str, Path(description="The device type identifier as returned by /api/devicetypes.")
]
DeviceId = Annotated[str, Path(description="The identifier of the device (in hexadecimal).")]


def group(conn: Connection, principal: Principal, group_id: str) -> Group:
    """The group if the principal may see it, else 404."""
    found = groups.get(conn, group_id) if is_object_id(group_id) else None
    if found is None or not groups.is_within(conn, found.id, principal.group_id):
        raise NotFound(f"Group {group_id} not found.")
    return found


def device_type(conn: Connection, principal: Principal, device_type_id: str) -> DeviceType:
    """The device type if the principal may see it, else 404."""
    found = device_types.get(conn, device_type_id) if is_object_id(device_type_id) else None
    if found is None or not groups.is_within(conn, found.group_id, principal.group_id):
        raise NotFound(f"Device type {device_type_id} not found.")
    return found


def device(conn: Connection, principal: Principal, device_id: str) -> tuple[Device, DeviceType]:
    """The device and its type if the principal may see it, else 404."""
    try:
        found = devices.get(conn, canonical_device_id(device_id))
    except InvalidInput:
        found = None
    if found is not None:
        owner = device_types.get(conn, found.device_type_id)
        if owner is not None and groups.is_within(conn, owner.group_id, principal.group_id):
            return found, owner
    raise NotFound(f"Device {device_id} not found.")
