"""Seed 002 status events (ERROR and WARN) of a device type and of a device.

Times are Unix milliseconds here, in and out, unlike the message lists. The seed names the
device type id ``deviceTypeId`` in ERROR events but ``deviceId`` in WARN events (where
``deviceIds`` lists the devices); both are kept as the seed has them. The device-level ERROR
example repeats ``deviceId`` for the type, which JSON cannot hold twice: ``deviceTypeId`` is
used there, as in the device type's list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.paging import (
    MillisecondsDep,
    Page,
    PageDep,
    Paging,
    Window,
    next_by_time,
)
from foxden.api.sigfox_v1.scope import DeviceId, DeviceTypeId
from foxden.config import Settings
from foxden.domain.principals import Principal
from foxden.domain.status_events import Severity, StatusEvent
from foxden.storage import callback_attempts, status_events
from foxden.storage.callback_attempts import Attempt

router = APIRouter(tags=["Status events"])


class EventCallback(BaseModel):
    """One attempt to deliver the event to an ERROR callback: an HTTP call or a mail."""

    url: str | None = Field(None, description="HTTP: the URL called for this event.")
    subject: str | None = Field(None, description="Email: the subject of the mail sent.")
    message: str | None = Field(None, description="Email: the body of the mail sent.")
    status: int | None = Field(
        None, description="The HTTP response status (200 for a mail sent), 600 on other errors."
    )
    info: str | None = Field(None, description="HTTP: additional information on the response.")


class ErrorEvent(BaseModel):
    """A communication down event: one device went silent."""

    model_config = ConfigDict(populate_by_name=True)

    device_id: str = Field(alias="deviceId", description="The device detected down.")
    time: int = Field(description="When the event was sent, Unix milliseconds.")
    message: str = Field(description="The reason of this event.")
    severity: Literal["ERROR"] = "ERROR"
    device_type_id: str = Field(alias="deviceTypeId", description="The device type identifier.")
    callbacks: list[EventCallback] | None = Field(None, description="ERROR callbacks, if any.")


class WarnEvent(BaseModel):
    """A network issues event for a set of devices."""

    model_config = ConfigDict(populate_by_name=True)

    device_ids: list[str] = Field(alias="deviceIds", description="The devices concerned.")
    time: int = Field(description="When the event was sent, Unix milliseconds.")
    message: str = Field(description="The reason of this event.")
    severity: Literal["WARN"] = "WARN"
    device_type_id: str = Field(
        alias="deviceId", description="The device type identifier (named deviceId by the seed)."
    )
    callbacks: list[EventCallback] | None = Field(None, description="ERROR callbacks, if any.")


class ErrorEventList(BaseModel):
    """A page of communication down events, newest first."""

    data: list[ErrorEvent]
    paging: Paging | None = None


class WarnEventList(BaseModel):
    """A page of network issues events, newest first."""

    data: list[WarnEvent]
    paging: Paging | None = None


def callback_to_api(attempt: Attempt) -> EventCallback:
    """The seed shape of a delivery attempt: a mail's subject and body, or the URL called."""
    if attempt.channel == "EMAIL":
        return EventCallback(
            subject=attempt.request.get("subject"),
            message=attempt.request.get("message"),
            status=attempt.status,
        )
    return EventCallback(url=attempt.request.get("url"), status=attempt.status, info=attempt.info)


def error_to_api(event: StatusEvent, attempts: list[Attempt]) -> ErrorEvent:
    """The seed shape of an ERROR event; no ``callbacks`` when none fired."""
    return ErrorEvent(
        device_id=event.device_ids[0],
        time=event.time,
        message=event.message,
        device_type_id=event.device_type_id,
        callbacks=[callback_to_api(attempt) for attempt in attempts] or None,
    )


def warn_to_api(event: StatusEvent, attempts: list[Attempt]) -> WarnEvent:
    """The seed shape of a WARN event; no ``callbacks`` when none fired."""
    return WarnEvent(
        device_ids=list(event.device_ids),
        time=event.time,
        message=event.message,
        device_type_id=event.device_type_id,
        callbacks=[callback_to_api(attempt) for attempt in attempts] or None,
    )


Events = list[tuple[StatusEvent, list[Attempt]]]


class _Find(Protocol):
    """A storage query of one owner's events: ``status_events.of_device_type`` or ``of_device``."""

    def __call__(
        self,
        conn: Connection,
        owner: str,
        severity: Severity,
        /,
        *,
        since: int | None,
        before: int | None,
        limit: int,
        offset: int,
    ) -> list[StatusEvent]: ...


@dataclass(frozen=True, slots=True)
class _Owner:
    """Whose events a path names: how to check it is visible (its stored id, or 404), how to
    read its events, and whether it is a device, which sees only the attempts made for itself
    (a WARN event's callbacks are called once per device) or for no device in particular."""

    visible: Callable[[Connection, Principal, str], str]
    find: _Find
    is_device: bool = False


_DEVICE_TYPE = _Owner(
    lambda conn, principal, named: scope.device_type(conn, principal, named).id,
    status_events.of_device_type,
)
_DEVICE = _Owner(
    lambda conn, principal, named: scope.device(conn, principal, named)[0].id,
    status_events.of_device,
    is_device=True,
)


async def _page_of_events(
    request: Request,
    db: Db,
    settings: Settings,
    principal: Principal,
    page: Page,
    window: Window,
    severity: Severity,
    owner: _Owner,
    named: str,
) -> tuple[Events, Paging | None]:
    """One page of the events of the object ``named``, with their callback attempts, and the
    link to the next page."""

    def read(conn: Connection) -> tuple[Events, bool]:
        owner_id = owner.visible(conn, principal, named)
        found = owner.find(
            conn,
            owner_id,
            severity,
            since=window.since,
            before=window.before,
            limit=page.limit + 1,
            offset=page.offset,
        )
        shown = found[: page.limit]
        attempts = callback_attempts.for_status_events(conn, [event.id for event in shown])
        if owner.is_device:
            attempts = {
                event_id: [a for a in made if a.device_id is None or a.device_id == owner_id]
                for event_id, made in attempts.items()
            }
        return [(event, attempts.get(event.id, [])) for event in shown], len(found) > page.limit

    events, more = await db.read(read)
    times = [event.time for event, _ in events]
    return events, next_by_time(request, settings, page, window, times, more)


@router.get(
    "/devicetypes/{device_type_id}/status/error",
    response_model=ErrorEventList,
    response_model_exclude_none=True,
    summary="Error status events sent for a list of devices",
)
async def list_device_type_error_events(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: MillisecondsDep,
    device_type_id: DeviceTypeId,
) -> ErrorEventList:
    """Get the communication down events sent for the devices of a device type, newest first."""
    events, paging = await _page_of_events(
        request, db, settings, principal, page, window, Severity.ERROR, _DEVICE_TYPE, device_type_id
    )
    return ErrorEventList(data=[error_to_api(*pair) for pair in events], paging=paging)


@router.get(
    "/devicetypes/{device_type_id}/status/warn",
    response_model=WarnEventList,
    response_model_exclude_none=True,
    summary="Warning status events sent for a list of devices",
)
async def list_device_type_warn_events(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: MillisecondsDep,
    device_type_id: DeviceTypeId,
) -> WarnEventList:
    """Get the network issues events sent for the devices of a device type, newest first."""
    events, paging = await _page_of_events(
        request, db, settings, principal, page, window, Severity.WARN, _DEVICE_TYPE, device_type_id
    )
    return WarnEventList(data=[warn_to_api(*pair) for pair in events], paging=paging)


@router.get(
    "/devices/{device_id}/status/error",
    response_model=ErrorEventList,
    response_model_exclude_none=True,
    summary="Error status events sent for a device",
)
async def list_device_error_events(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: MillisecondsDep,
    device_id: DeviceId,
) -> ErrorEventList:
    """Get the communication down events sent for a device, newest first."""
    events, paging = await _page_of_events(
        request, db, settings, principal, page, window, Severity.ERROR, _DEVICE, device_id
    )
    return ErrorEventList(data=[error_to_api(*pair) for pair in events], paging=paging)


@router.get(
    "/devices/{device_id}/status/warn",
    response_model=WarnEventList,
    response_model_exclude_none=True,
    summary="Warning status events sent for a device",
)
async def list_device_warn_events(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: MillisecondsDep,
    device_id: DeviceId,
) -> WarnEventList:
    """Get the network issues events sent for a device (WARN events naming it), newest first."""
    events, paging = await _page_of_events(
        request, db, settings, principal, page, window, Severity.WARN, _DEVICE, device_id
    )
    return WarnEventList(data=[warn_to_api(*pair) for pair in events], paging=paging)
