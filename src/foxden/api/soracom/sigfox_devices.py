"""Seed 000: the Soracom view of Sigfox devices, ``/sigfox_devices``.

The same device rows the Sigfox API serves, read as Soracom's ``SigfoxDevice``: ``status``
follows the lifecycle instock → ready (registered with its PAC) → active (its first frame) →
terminated; ``lastSeen`` is its last frame, ``lastModifiedTime`` its last change. An operator
sees the devices of its top-level group and of the groups below it; any other is a 404.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.soracom import harvest
from foxden.api.soracom.auth import PrincipalDep
from foxden.api.soracom.paging import DEFAULT_LIMIT, MAX_LIMIT, link_next
from foxden.domain import tags as tagging
from foxden.domain.clock import now_ms, to_datetime
from foxden.domain.devices import Device, SoracomStatus, check_terminable, registered
from foxden.domain.downlink import checked_data
from foxden.domain.errors import NotFound
from foxden.domain.principals import Principal
from foxden.storage import config_groups, device_tags, devices, downlinks

router = APIRouter(tags=["SigfoxDevice"])

DeviceId = Annotated[str, Path(description="Device ID of the target Sigfox device.")]
TagName = Annotated[
    str,
    Path(description="Tag name to be deleted, percent-encoded (encodeURIComponent)."),
]


# Tags as an object of names to values, with the bounds ``tags.checked`` enforces.
TagSet = dict[
    Annotated[str, StringConstraints(min_length=1, max_length=tagging.MAX_NAME)],
    Annotated[str, StringConstraints(max_length=tagging.MAX_VALUE)],
]


class LastSeen(BaseModel):
    """The device's last frame: when, and its best reception's RSSI (dBm) and SNR (dB)."""

    time: datetime.datetime
    rssi: int | None = None
    snr: int | None = None


class SigfoxDevice(BaseModel):
    """A Sigfox device as Soracom shows it."""

    model_config = ConfigDict(populate_by_name=True)

    device_id: str
    operator_id: str = Field(alias="operatorId")
    status: SoracomStatus
    tags: dict[str, str]
    termination_enabled: bool = Field(alias="terminationEnabled")
    group_id: str | None = Field(None, alias="groupId")
    last_seen: LastSeen | None = Field(None, alias="lastSeen")
    last_modified_time: datetime.datetime = Field(alias="lastModifiedTime")


class TagUpdateRequest(BaseModel):
    """A tag to add or update."""

    tag_name: str = Field(alias="tagName", min_length=1, max_length=tagging.MAX_NAME)
    tag_value: str = Field(alias="tagValue", max_length=tagging.MAX_VALUE)


def tag_updates(body: list[TagUpdateRequest]) -> dict[str, str]:
    """The tags a ``PUT .../tags`` body sets, later ones winning."""
    return tagging.checked((tag.tag_name, tag.tag_value) for tag in body)


class SigfoxRegistrationRequest(BaseModel):
    """The device's PAC as ``registrationSecret``, and its first tags."""

    registration_secret: str | None = Field(None, alias="registrationSecret")
    tags: TagSet | None = None
    product_certification_id: str | None = Field(None, alias="productCertificationId")


class SetGroupRequest(BaseModel):
    """The Soracom group to put the device in (required here, though Soracom's document
    leaves it optional: a device cannot join no group)."""

    group_id: str = Field(alias="groupId")


class SigfoxData(BaseModel):
    """8 bytes for the device, as 16 hex characters."""

    data: str


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


def to_api(device: Device, tags: dict[str, str], operator_id: str) -> SigfoxDevice:
    """The Soracom shape of a device."""
    last_seen = None
    if device.last_seen_at is not None:
        last_seen = LastSeen(
            time=to_datetime(device.last_seen_at),
            rssi=_round(device.last_rssi),
            snr=_round(device.last_snr),
        )
    return SigfoxDevice(
        device_id=device.id,
        operator_id=operator_id,
        status=device.soracom_status,
        tags=tags,
        termination_enabled=device.termination_enabled,
        group_id=device.soracom_group_id,
        last_seen=last_seen,
        last_modified_time=to_datetime(device.modified_at),
    )


def _view(conn: Connection, principal: Principal, device_id: str) -> SigfoxDevice:
    device, _ = scope.device(conn, principal, device_id)
    return _shown(conn, principal, device)


def _shown(conn: Connection, principal: Principal, device: Device) -> SigfoxDevice:
    assert principal.operator_id is not None  # Soracom credentials always name an operator
    return to_api(device, device_tags.of(conn, [device.id])[device.id], principal.operator_id)


def _change(
    conn: Connection, /, principal: Principal, device_id: str, **values: Any
) -> SigfoxDevice:
    """Set Soracom columns of a visible device and return its new view."""
    device, _ = scope.device(conn, principal, device_id)
    devices.update_state(conn, device.id, modified_at=now_ms(), **values)
    return _view(conn, principal, device.id)


def _list(
    conn: Connection,
    principal: Principal,
    after: str | None,
    limit: int,
    tag: tagging.TagFilter | None,
) -> tuple[list[SigfoxDevice], bool]:
    found = devices.of_group(conn, principal.group_id, after=after, limit=limit + 1, tag=tag)
    page = found[:limit]
    tags = device_tags.of(conn, [device.id for device in page])
    assert principal.operator_id is not None
    return [to_api(d, tags[d.id], principal.operator_id) for d in page], len(found) > limit


@router.get(
    "/sigfox_devices",
    operation_id="listSigfoxDevices",
    response_model=list[SigfoxDevice],
    response_model_exclude_none=True,
    summary="List Sigfox devices.",
)
async def list_sigfox_devices(
    request: Request,
    response: Response,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    tag_name: Annotated[
        str | None, Query(description="Tag name for filtering the search (exact match).")
    ] = None,
    tag_value: Annotated[
        str | None, Query(description="Tag value; required when `tag_name` is specified.")
    ] = None,
    tag_value_match_mode: Annotated[
        tagging.MatchMode, Query(description="Tag match mode.")
    ] = tagging.MatchMode.EXACT,
    limit: Annotated[
        int,
        Query(
            ge=1,
            description=f"Maximum number of Sigfox devices to retrieve (at most "
            f"{MAX_LIMIT} are returned at once).",
        ),
    ] = DEFAULT_LIMIT,
    last_evaluated_key: Annotated[
        str | None,
        Query(description="The device ID of the last Sigfox device of the previous page."),
    ] = None,
) -> list[SigfoxDevice]:
    """The operator's Sigfox devices by device ID, a page at a time."""
    tag = tagging.tag_filter(tag_name, tag_value, tag_value_match_mode)
    page, more = await db.read(_list, principal, last_evaluated_key, min(limit, MAX_LIMIT), tag)
    link_next(request, settings, response, page[-1].device_id if more else None)
    return page


@router.get(
    "/sigfox_devices/{device_id}",
    operation_id="getSigfoxDevice",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Get Sigfox device.",
)
async def get_sigfox_device(db: Db, principal: PrincipalDep, device_id: DeviceId) -> SigfoxDevice:
    """One Sigfox device."""
    return await db.read(_view, principal, device_id)


@router.get(
    "/sigfox_devices/{device_id}/data",
    operation_id="getDataFromSigfoxDevice",
    response_model=list[harvest.DataEntry],
    response_model_exclude_none=True,
    summary="Retrieves data sent from a Sigfox device to Harvest Data",
)
async def get_data_from_sigfox_device(
    request: Request,
    response: Response,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    device_id: DeviceId,
    query: harvest.EntryQueryDep,
) -> list[harvest.DataEntry]:
    """The device's frames written to Harvest Data, a page at a time."""
    page, key = await db.read(harvest.device_entries, principal, device_id, query)
    link_next(request, settings, response, key)
    return page


def _send(conn: Connection, principal: Principal, device_id: str, data: str) -> None:
    device, _ = scope.device(conn, principal, device_id)
    downlinks.enqueue(conn, device.id, data, now_ms(), None, replace=True)


@router.post(
    "/sigfox_devices/{device_id}/data",
    operation_id="sendDataToSigfoxDevice",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    summary="Send data to a Sigfox device.",
    responses={202: {"description": "Data is waiting for the device to retrieve it."}},
)
async def send_data_to_sigfox_device(
    db: Db, principal: PrincipalDep, device_id: DeviceId, body: SigfoxData
) -> Response:
    """Hold 8 bytes for the device's next frame that asks for a downlink; a newer one replaces
    one still waiting."""
    await db.read(scope.device, principal, device_id)
    data = checked_data(body.data)
    await db.write(_send, principal, device_id, data)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/sigfox_devices/{device_id}/disable_termination",
    operation_id="disableTerminationOnSigfoxDevice",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Disable Termination of Sigfox device.",
)
async def disable_termination(db: Db, principal: PrincipalDep, device_id: DeviceId) -> SigfoxDevice:
    """Protect the device from termination."""
    return await db.write(_change, principal, device_id, termination_enabled=False)


@router.post(
    "/sigfox_devices/{device_id}/enable_termination",
    operation_id="enableTerminationOnSigfoxDevice",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Enable Termination of Sigfox device.",
)
async def enable_termination(db: Db, principal: PrincipalDep, device_id: DeviceId) -> SigfoxDevice:
    """Allow the device to be terminated."""
    return await db.write(_change, principal, device_id, termination_enabled=True)


def _register(
    conn: Connection, principal: Principal, device_id: str, body: SigfoxRegistrationRequest
) -> SigfoxDevice:
    device, _ = scope.device(conn, principal, device_id)
    new_status = registered(device, body.registration_secret)
    device_tags.put(conn, device.id, tagging.checked((body.tags or {}).items()))
    return _change(conn, principal, device.id, soracom_status=new_status.value)


@router.post(
    "/sigfox_devices/{device_id}/register",
    operation_id="registerSigfoxDevice",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Registers a Sigfox device.",
)
async def register_sigfox_device(
    db: Db,
    principal: PrincipalDep,
    device_id: DeviceId,
    body: SigfoxRegistrationRequest,
) -> SigfoxDevice:
    """Register a device in stock with its PAC (``registrationSecret``): it becomes ready,
    and active with its first frame. A missing or wrong PAC is a 400."""
    return await db.write(_register, principal, device_id, body)


def _set_group(
    conn: Connection, principal: Principal, device_id: str, group_id: str
) -> SigfoxDevice:
    scope.device(conn, principal, device_id)
    assert principal.operator_id is not None
    if config_groups.get(conn, principal.operator_id, group_id) is None:
        raise NotFound(f"Group {group_id} not found.")
    return _change(conn, principal, device_id, soracom_group_id=group_id)


@router.post(
    "/sigfox_devices/{device_id}/set_group",
    operation_id="setSigfoxDeviceGroup",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Adds a Sigfox device to a Sigfox group",
)
async def set_sigfox_device_group(
    db: Db, principal: PrincipalDep, device_id: DeviceId, body: SetGroupRequest
) -> SigfoxDevice:
    """Put the device in one of the operator's groups (an unknown group is a 404)."""
    return await db.write(_set_group, principal, device_id, body.group_id)


def _put_tags(
    conn: Connection, principal: Principal, device_id: str, tags: dict[str, str]
) -> SigfoxDevice:
    device, _ = scope.device(conn, principal, device_id)
    device_tags.put(conn, device.id, tags)
    return _change(conn, principal, device.id)


@router.put(
    "/sigfox_devices/{device_id}/tags",
    operation_id="putSigfoxDeviceTags",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Bulk Insert or Update Sigfox device Tags.",
)
async def put_sigfox_device_tags(
    db: Db,
    principal: PrincipalDep,
    device_id: DeviceId,
    body: Annotated[list[TagUpdateRequest], Body(description="Tags to insert or update.")],
) -> SigfoxDevice:
    """Add tags to the device, replacing the values of those it has."""
    tags = tag_updates(body)
    return await db.write(_put_tags, principal, device_id, tags)


def _delete_tag(conn: Connection, principal: Principal, device_id: str, name: str) -> None:
    device, _ = scope.device(conn, principal, device_id)
    if not device_tags.remove(conn, device.id, name):
        raise NotFound(f"Device {device_id} has no tag {name!r}.")
    devices.update_state(conn, device.id, modified_at=now_ms())


@router.delete(
    "/sigfox_devices/{device_id}/tags/{tag_name:path}",
    operation_id="deleteSigfoxDeviceTag",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete Sigfox device Tag.",
)
async def delete_sigfox_device_tag(
    db: Db, principal: PrincipalDep, device_id: DeviceId, tag_name: TagName
) -> Response:
    """Remove a tag from the device; 404 when it has none by that name."""
    await db.write(_delete_tag, principal, device_id, tag_name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _terminate(
    conn: Connection, principal: Principal, device_id: str, delete_immediately: bool
) -> SigfoxDevice:
    device, _ = scope.device(conn, principal, device_id)
    if device.soracom_status is not SoracomStatus.TERMINATED:
        check_terminable(device)
    terminated = _change(conn, principal, device.id, soracom_status=SoracomStatus.TERMINATED.value)
    if delete_immediately:
        devices.delete(conn, device.id)
    return terminated


@router.post(
    "/sigfox_devices/{device_id}/terminate",
    operation_id="terminateSigfoxDevice",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Terminate Sigfox device.",
)
async def terminate_sigfox_device(
    db: Db,
    principal: PrincipalDep,
    device_id: DeviceId,
    delete_immediately: Annotated[
        bool, Query(description="If the Sigfox device is deleted immediately.")
    ] = False,
) -> SigfoxDevice:
    """End the device's service: its frames are kept but go nowhere. Refused (400) while the
    device is protected from termination. ``delete_immediately`` also deletes the device and
    everything stored of it."""
    return await db.write(_terminate, principal, device_id, delete_immediately)


@router.post(
    "/sigfox_devices/{device_id}/unset_group",
    operation_id="unsetSigfoxDeviceGroup",
    response_model=SigfoxDevice,
    response_model_exclude_none=True,
    summary="Removes a Sigfox device from a Sigfox group",
)
async def unset_sigfox_device_group(
    db: Db, principal: PrincipalDep, device_id: DeviceId
) -> SigfoxDevice:
    """Take the device out of its group."""
    return await db.write(_change, principal, device_id, soracom_group_id=None)
