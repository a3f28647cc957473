"""Seed 002 "Device types API"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import Connection

from foxden.api.deps import Db
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.domain.device_types import DeviceType
from foxden.domain.errors import Forbidden, NotFound
from foxden.domain.ids import is_object_id
from foxden.domain.principals import Principal
from foxden.storage import device_types, groups

router = APIRouter(tags=["Device types"])

DeviceTypeId = Annotated[
    str, Path(description="The device type identifier as returned by /api/devicetypes.")
]


def visible(conn: Connection, principal: Principal, device_type_id: str) -> DeviceType:
    """The device type if the principal may see it: 404 if unknown, 403 if another tenant's."""
    found = device_types.get(conn, device_type_id) if is_object_id(device_type_id) else None
    if found is None:
        raise NotFound(f"Device type {device_type_id} not found.")
    if not groups.is_within(conn, found.group_id, principal.group_id):
        raise Forbidden(f"Device type {device_type_id} is not accessible with these credentials.")
    return found


def _disengage(conn: Connection, principal: Principal, device_type_id: str) -> None:
    device_types.disengage(conn, visible(conn, principal, device_type_id).id)


@router.get(
    "/devicetypes/{device_type_id}/disengage",
    summary="Disengage sequence number",
    response_class=Response,
    responses={200: {"description": "Disengaged; the response has no body."}},
)
async def disengage_sequence_number(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId
) -> Response:
    """Disengage the sequence number check for the next message of each device of the type."""
    await db.write(_disengage, principal, device_type_id)
    return Response(status_code=200)
