"""Seed 002 "Device types API"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import Connection

from foxden.api.deps import Db
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.domain.principals import Principal
from foxden.storage import device_types

router = APIRouter(tags=["Device types"])

DeviceTypeId = Annotated[
    str, Path(description="The device type identifier as returned by /api/devicetypes.")
]


def _disengage(conn: Connection, principal: Principal, device_type_id: str) -> None:
    device_types.disengage(conn, scope.device_type(conn, principal, device_type_id).id)


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
