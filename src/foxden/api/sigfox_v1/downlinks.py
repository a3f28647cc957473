"""A device's downlink queue: a foxden extension, since no Sigfox API has one.

A client queues 8 bytes for a device; the device's next frame with ``ack`` gets the oldest one
still pending, before its device type's ``downlinkMode`` is looked at, and the device's next
ACKNOWLEDGE frame settles it. Times are Unix milliseconds, in and out, as in the status events.
A downlink's id is the queue's row number, as a string like every id of this API.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.paging import MAX_LIMIT, MAX_TIME
from foxden.api.sigfox_v1.scope import DeviceId
from foxden.domain.clock import now_ms
from foxden.domain.downlink import checked_data
from foxden.domain.errors import InvalidInput, NotFound
from foxden.domain.principals import Principal
from foxden.storage import downlinks
from foxden.storage.downlinks import State

router = APIRouter(tags=["Downlinks"])

DownlinkId = Annotated[
    str, Path(description="The downlink identifier as returned by /api/devices/{id}/downlinks.")
]

# A row number the database can hold (signed 64 bits): any longer one is no downlink.
_ROW_ID = re.compile("[0-9]{1,18}")


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class DownlinkCreation(_Model):
    """A downlink to queue; unknown fields are ignored."""

    data: str = Field(description="The 8 bytes to send, as 16 hex digits.")
    expires_at: StrictInt | None = Field(
        None,
        alias="expiresAt",
        ge=0,
        le=MAX_TIME,
        description="When it stops waiting, Unix ms, in the future; by default, now plus the "
        "server's FOXDEN_DOWNLINK_EXPIRY_S.",
    )
    replace: bool = Field(
        False, description="True to replace the downlink waiting, if any, instead of queueing."
    )


class Downlink(_Model):
    """A queued downlink."""

    id: str = Field(description="The downlink's identifier.")
    device: str = Field(description="The device it is for.")
    data: str = Field(description="The 8 bytes, as 16 lower-case hex digits.")
    state: State = Field(
        description="pending, then sent to a frame with ack, then acked or failed by the "
        "device's ACKNOWLEDGE frame; or expired, replaced or cancelled while pending."
    )
    creation_time: int = Field(alias="creationTime", description="When it was queued, Unix ms.")
    expiration_time: int | None = Field(
        None, alias="expirationTime", description="When it stops waiting, Unix ms."
    )
    sent_time: int | None = Field(
        None, alias="sentTime", description="The time of the frame that took it, Unix ms."
    )
    settled_time: int | None = Field(
        None,
        alias="settledTime",
        description="When it was acked, failed, expired, replaced or cancelled, Unix ms.",
    )


class DownlinkList(BaseModel):
    """A device's downlinks, newest first."""

    data: list[Downlink]


def to_api(downlink: downlinks.Downlink) -> Downlink:
    """The API shape of a queued downlink; times not yet known are left out."""
    return Downlink(
        id=str(downlink.id),
        device=downlink.device_id,
        data=downlink.data,
        state=downlink.state,
        creation_time=downlink.created_at,
        expiration_time=downlink.expires_at,
        sent_time=downlink.sent_at,
        settled_time=downlink.settled_at,
    )


def _expiry(expires_at: int | None, now: int, expiry_s: int) -> int:
    if expires_at is None:
        return now + expiry_s * 1000
    if expires_at <= now:
        raise InvalidInput(f"expiresAt: must be in the future (now is {now}, Unix ms)")
    return expires_at


def _not_found(device_id: str, downlink_id: str) -> NotFound:
    return NotFound(f"Downlink {downlink_id} not found for device {device_id}.")


def _row_id(device_id: str, downlink_id: str) -> int:
    """The row a downlink id names; one that cannot be a row is as unknown as a missing one."""
    if not _ROW_ID.fullmatch(downlink_id):
        raise _not_found(device_id, downlink_id)
    return int(downlink_id)


def _enqueue(
    conn: Connection,
    principal: Principal,
    device_id: str,
    data: str,
    now: int,
    expires_at: int,
    replace: bool,
) -> downlinks.Downlink:
    device, _ = scope.device(conn, principal, device_id)
    return downlinks.enqueue(conn, device.id, data, now, expires_at, replace=replace)


def _of_device(
    conn: Connection, principal: Principal, device_id: str, now: int, limit: int
) -> list[downlinks.Downlink]:
    device, _ = scope.device(conn, principal, device_id)
    return downlinks.of_device(conn, device.id, now, limit)


def _get(
    conn: Connection, principal: Principal, device_id: str, downlink_id: str, now: int
) -> downlinks.Downlink:
    device, _ = scope.device(conn, principal, device_id)
    found = downlinks.get(conn, device.id, _row_id(device_id, downlink_id), now)
    if found is None:
        raise _not_found(device_id, downlink_id)
    return found


def _cancel(
    conn: Connection, principal: Principal, device_id: str, downlink_id: str, now: int
) -> downlinks.Downlink:
    device, _ = scope.device(conn, principal, device_id)
    row_id = _row_id(device_id, downlink_id)
    if not downlinks.cancel(conn, device.id, row_id, now):
        raise NotFound(f"No pending downlink {downlink_id} for device {device_id}.")
    cancelled = downlinks.get(conn, device.id, row_id, now)
    assert cancelled is not None  # cancelled by this very transaction
    return cancelled


@router.post(
    "/devices/{device_id}/downlinks",
    status_code=201,
    response_model=Downlink,
    response_model_exclude_none=True,
    summary="Downlink queueing (foxden extension)",
)
async def create_downlink(
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    device_id: DeviceId,
    body: DownlinkCreation,
) -> Downlink:
    """Queue 8 bytes for the device's next frame asking for a downlink; with ``replace``, the
    one waiting is replaced, so that at most one waits."""
    # Scoped first, so that another tenant's device is a 404 whatever the body; checked before
    # the write, so that the writer, which ingest shares, never waits on the checks.
    await db.read(scope.device, principal, device_id)
    now = now_ms()
    data = checked_data(body.data)
    expires_at = _expiry(body.expires_at, now, settings.downlink_expiry_s)
    queued = await db.write(_enqueue, principal, device_id, data, now, expires_at, body.replace)
    return to_api(queued)


@router.get(
    "/devices/{device_id}/downlinks",
    response_model=DownlinkList,
    response_model_exclude_none=True,
    summary="Downlink list (foxden extension)",
)
async def list_downlinks(
    db: Db,
    principal: PrincipalDep,
    device_id: DeviceId,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Maximum downlinks to return, newest first.")
    ] = MAX_LIMIT,
) -> DownlinkList:
    """List the device's downlinks, newest first, whatever their state."""
    found = await db.read(_of_device, principal, device_id, now_ms(), limit)
    return DownlinkList(data=[to_api(downlink) for downlink in found])


@router.get(
    "/devices/{device_id}/downlinks/{downlink_id}",
    response_model=Downlink,
    response_model_exclude_none=True,
    summary="Downlink information (foxden extension)",
)
async def get_downlink(
    db: Db, principal: PrincipalDep, device_id: DeviceId, downlink_id: DownlinkId
) -> Downlink:
    """Get one of the device's downlinks."""
    return to_api(await db.read(_get, principal, device_id, downlink_id, now_ms()))


@router.delete(
    "/devices/{device_id}/downlinks/{downlink_id}",
    response_model=Downlink,
    response_model_exclude_none=True,
    summary="Downlink cancellation (foxden extension)",
)
async def cancel_downlink(
    db: Db, principal: PrincipalDep, device_id: DeviceId, downlink_id: DownlinkId
) -> Downlink:
    """Cancel a downlink still pending; the answer is the downlink, now cancelled. One already
    sent, settled or expired is a 404, as an unknown one."""
    return to_api(await db.write(_cancel, principal, device_id, downlink_id, now_ms()))
