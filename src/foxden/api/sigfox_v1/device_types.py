"""Seed 002 "Device types API": the list, one device type, its edition, and disengage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import Connection

from foxden.api.deps import Db
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.scope import DeviceTypeId
from foxden.domain import device_types as domain
from foxden.domain import downlink
from foxden.domain.codec import compile as compile_payload_config
from foxden.domain.device_types import DownlinkMode, PayloadType
from foxden.domain.errors import InvalidInput
from foxden.domain.principals import Principal
from foxden.storage import device_types, devices

router = APIRouter(tags=["Device types"])


class DeviceType(BaseModel):
    """A device type information record."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="The device type's identifier.")
    name: str = Field(description="The device type's name.")
    group: str = Field(description="The group that owns this device type.")
    description: str | None = Field(None, description="Description of this device type.")
    keep_alive: int = Field(
        alias="keepAlive", description="The keep alive in minutes (0 means inactive)."
    )
    payload_type: PayloadType = Field(alias="payloadType", description="The payload type.")
    payload_config: str | None = Field(
        None, alias="payloadConfig", description="The custom format, when payloadType is Custom."
    )
    contract: str | None = Field(None, description="The contract id of this device type.")
    downlink_mode: int = Field(
        alias="downlinkMode", description="0: direct, 1: callback, 2: no downlink."
    )
    downlink_data_string: str | None = Field(
        None, alias="downlinkDataString", description="The direct downlink data (8 bytes, hex)."
    )
    alert_email: str | None = Field(None, alias="alertEmail", description="Where alerts go.")


class DeviceTypeList(BaseModel):
    """Every device type of the request, by id (seed 002 documents no paging for this list)."""

    data: list[DeviceType]


def to_api(device_type: domain.DeviceType) -> DeviceType:
    """The seed 002 shape of a device type; empty values are left out."""
    custom = device_type.payload_type is PayloadType.CUSTOM
    return DeviceType(
        id=device_type.id,
        name=device_type.name,
        group=device_type.group_id,
        description=device_type.description or None,
        keep_alive=device_type.keep_alive,
        payload_type=device_type.payload_type,
        payload_config=device_type.payload_config if custom else None,
        contract=device_type.contract_id,
        downlink_mode=int(device_type.downlink_mode),
        downlink_data_string=device_type.downlink_data_string,
        alert_email=device_type.alert_email,
    )


def _payload_config(config: str) -> str:
    compile_payload_config(config)
    return config


def _downlink_mode(mode: int) -> DownlinkMode:
    try:
        return DownlinkMode(mode)
    except ValueError:
        raise InvalidInput("must be 0 (direct), 1 (callback) or 2 (no downlink)") from None


class DeviceTypeEdition(BaseModel):
    """The fields to change; a field not present keeps its value, unknown fields are ignored.

    ``null`` clears ``payloadConfig``, ``downlinkDataString`` and ``alertEmail``; the other
    fields always have a value, so ``null`` is refused for them. The keep alive is in minutes,
    0 or at least 30: seed 002 says "in minutes" and "0 or ≥ 1800 s", which agree when 1800 s is
    read as 30 minutes. Values are checked once the device type is known to be visible, so an
    unknown id is a 404 whatever the values.
    """

    # Fields named as the domain's, so the changes apply to a device type as they are.
    id: str = Field(description="The id of the device type to edit.")
    name: str | None = Field(None, description="The name (1 to 255 characters).")
    description: str | None = Field(None, description="The description of the device type.")
    keep_alive: StrictInt | None = Field(
        None, alias="keepAlive", description="The keep alive in minutes: 0 or at least 30."
    )
    payload_type: PayloadType | None = Field(
        None, alias="payloadType", description="The payload type."
    )
    payload_config: str | None = Field(
        None, alias="payloadConfig", description="The custom format; required with Custom."
    )
    downlink_mode: StrictInt | None = Field(
        None, alias="downlinkMode", description="0: direct, 1: callback, 2: no downlink."
    )
    downlink_data_string: str | None = Field(
        None,
        alias="downlinkDataString",
        description="8 bytes as 16 hex digits, where {rssi}, {tapId} and {time} may appear.",
    )
    alert_email: str | None = Field(
        None, alias="alertEmail", description="The email address alerts are sent to."
    )


# The check of each editable field's value: its canonical form, or InvalidInput.
_CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": domain.name,
    "description": str,
    "keep_alive": domain.keep_alive,
    "payload_type": PayloadType,
    "payload_config": _payload_config,
    "downlink_mode": _downlink_mode,
    "downlink_data_string": downlink.validate,
    "alert_email": domain.alert_email,
}
_CLEARABLE = frozenset({"payload_config", "downlink_data_string", "alert_email"})


def _checked(field: str, value: Any) -> Any:
    """A field's new value, or InvalidInput naming the field as the API does."""
    api_name = DeviceTypeEdition.model_fields[field].alias or field
    if value is None:
        if field in _CLEARABLE:
            return None
        raise InvalidInput(f"{api_name}: must not be null")
    try:
        return _CHECKS[field](value)
    except InvalidInput as error:
        raise InvalidInput(f"{api_name}: {error.message}") from None


def _list(
    conn: Connection, principal: Principal, include_sub_groups: bool, contract_id: str | None
) -> list[domain.DeviceType]:
    return device_types.of_group(
        conn,
        principal.group_id,
        include_sub_groups=include_sub_groups,
        contract_id=contract_id,
    )


def _edit(conn: Connection, principal: Principal, edition: DeviceTypeEdition) -> None:
    current = scope.device_type(conn, principal, edition.id)
    given = edition.model_dump(exclude_unset=True, exclude={"id"})
    changes = {field: _checked(field, value) for field, value in given.items()}
    edited = domain.edited(current, **changes)
    device_types.save(conn, edited)
    if edited.keep_alive != current.keep_alive:
        devices.rearm(conn, edited.id, edited.keep_alive)


def _disengage(conn: Connection, principal: Principal, device_type_id: str) -> None:
    device_types.disengage(conn, scope.device_type(conn, principal, device_type_id).id)


@router.get(
    "/devicetypes",
    response_model=DeviceTypeList,
    response_model_exclude_none=True,
    summary="Device types list",
)
async def list_device_types(
    db: Db,
    principal: PrincipalDep,
    include_sub_groups: Annotated[
        bool,
        Query(alias="includeSubGroups", description="Also list the device types of child groups."),
    ] = False,
    contract_info_id: Annotated[
        str | None,
        Query(
            alias="contractInfoId",
            pattern="^[0-9a-f]{24}$",
            description="Only the device types of this contract info.",
        ),
    ] = None,
) -> DeviceTypeList:
    """Lists all device types available to your group, by id, all at once."""
    found = await db.read(_list, principal, include_sub_groups, contract_info_id)
    return DeviceTypeList(data=[to_api(device_type) for device_type in found])


@router.post(
    "/devicetypes/edit",
    summary="Device type edition",
    response_class=Response,
    responses={200: {"description": "Edited; the response has no body."}},
)
async def edit_device_type(db: Db, principal: PrincipalDep, body: DeviceTypeEdition) -> Response:
    """Edit a device type."""
    await db.write(_edit, principal, body)
    return Response(status_code=200)


@router.get(
    "/devicetypes/{device_type_id}",
    response_model=DeviceType,
    response_model_exclude_none=True,
    summary="Device type information",
)
async def get_device_type(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId
) -> DeviceType:
    """Get the description of a particular device type."""
    return to_api(await db.read(scope.device_type, principal, device_type_id))


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
