"""Seed 002 message lists (per device type, per device) and a device's locations.

A message's location is its payload's GPS fix, else the estimate from the stations that heard
it (:mod:`foxden.domain.locating`), as DATA_ADVANCED callbacks send it.

The seed's units differ per list and are kept: a message's ``time`` is in seconds, a
location's in milliseconds, and ``before``/``since`` are seconds for all three. Each list is
newest first and pages by time (``paging.next_by_time``), so following ``next`` costs the
same on page 1,000 as on page 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.devices import Location
from foxden.api.sigfox_v1.paging import Page, PageDep, Paging, SecondsDep, Window, next_by_time
from foxden.api.sigfox_v1.scope import DeviceId, DeviceTypeId
from foxden.config import Settings
from foxden.domain import locating
from foxden.domain.coverage import Position
from foxden.domain.devices import LinkQuality
from foxden.domain.messages import ComputedLocation, Message
from foxden.domain.principals import Principal
from foxden.storage import callback_attempts, messages
from foxden.storage.callback_attempts import Attempt

router = APIRouter(tags=["Messages"])


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class ReceptionInfo(_Model):
    """A base station that heard the message."""

    tap: str = Field(description="The base station's identifier.")
    snr: str | None = Field(None, description='The SNR of this reception in dB, e.g. "38.2".')
    lat: str | None = Field(
        None, description='The station\'s latitude in whole degrees, e.g. "43".'
    )
    lng: str | None = Field(
        None, description='The station\'s longitude in whole degrees, e.g. "6".'
    )


class CallbackStatus(_Model):
    """One delivery attempt of a callback for the message."""

    status: int = Field(description="The HTTP status answered; 600 when there was no answer.")
    info: str | None = Field(None, description="The status text or what went wrong.")
    cb_def: str = Field(
        alias="cbDef",
        description='The request made: "[GET] https://..." (the method and the URL called); '
        '"[EMAIL] recipient" for an email.',
    )


class DownlinkAnswerStatus(_Model):
    """foxden's account of the downlink a frame with ``ack`` asked for (Sigfox API v2 names
    the object ``downlinkAnswerStatus``; ``status`` and ``info`` are foxden's)."""

    status: str = Field(description="sent, no_data, no_answer, invalid, not_configured or pending.")
    data: str | None = Field(None, description="The 8 bytes sent, hex encoded.")
    info: str | None = Field(None, description="What went wrong, when something did.")


class DeviceMessage(_Model):
    """A message sent by a device."""

    device: str = Field(description="The device identifier.")
    time: int = Field(description="When the message was sent, Unix seconds.")
    data: str | None = Field(None, description="The message content, hex encoded.")
    seq_number: int = Field(alias="seqNumber", description="The message's sequence number.")
    snr: str | None = Field(
        None, description='Deprecated: the best SNR of the receptions in dB, e.g. "38.2".'
    )
    computed_location: Location | None = Field(
        None, alias="computedLocation", description="The estimated position of the device."
    )
    link_quality: LinkQuality | None = Field(
        None, alias="linkQuality", description="LIMIT, AVERAGE, GOOD or EXCELLENT."
    )
    rinfos: list[ReceptionInfo] | None = Field(
        None, description="The base stations that heard the message, first heard first."
    )
    cb_status: list[CallbackStatus] | None = Field(
        None, alias="cbStatus", description="The callback delivery attempts, oldest first."
    )
    downlink_answer_status: DownlinkAnswerStatus | None = Field(
        None,
        alias="downlinkAnswerStatus",
        description="For a frame that asked for a downlink: what was answered (foxden).",
    )


class MessageList(BaseModel):
    """A page of messages, newest first."""

    data: list[DeviceMessage]
    paging: Paging | None = None


class DeviceLocation(BaseModel):
    """The estimated position of a device when it sent a message."""

    time: int = Field(description="When the message was sent, Unix milliseconds.")
    valid: bool = Field(description="True if a position was estimated for this message.")
    lat: float | None = Field(None, description="The estimated latitude, if valid.")
    lng: float | None = Field(None, description="The estimated longitude, if valid.")
    radius: int | None = Field(
        None, description="The radius around the position in metres (0 for GPS), if valid."
    )


class LocationList(BaseModel):
    """A page of a device's message locations, newest first."""

    data: list[DeviceLocation]
    paging: Paging | None = None


def snr_text(snr: float) -> str:
    """An SNR as the seed writes it: a decimal string of at most 2 decimals ("38.2", "7.0")."""
    text = f"{snr:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def callback_definition(attempt: Attempt) -> str:
    """What an attempt sent, as ``cbDef``: ``[METHOD] url``, ``[EMAIL] recipient``, or the
    channel alone in brackets when the request names no target."""
    request = attempt.request
    if attempt.channel == "EMAIL":
        label, target = "EMAIL", request.get("recipient")
    else:
        label, target = request.get("method") or attempt.channel, request.get("url")
    return f"[{label}] {target}" if target else f"[{label}]"


def _reception_info(station_id: str, snr: float | None, at: Position | None) -> ReceptionInfo:
    # Whole degrees, as the seed shows them: a station's exact site stays the network's.
    return ReceptionInfo(
        tap=station_id,
        snr=None if snr is None else snr_text(snr),
        lat=None if at is None else str(round(at.lat)),
        lng=None if at is None else str(round(at.lng)),
    )


def to_api(
    message: Message, stations: Mapping[str, Position], attempts: Sequence[Attempt]
) -> DeviceMessage:
    """The seed 002 shape of a message; empty values are left out."""
    location = locating.of_message(message, stations)
    return DeviceMessage(
        device=message.device_id,
        time=message.time // 1000,
        data=message.data or None,
        seq_number=message.seq_number,
        snr=None if message.snr is None else snr_text(message.snr),
        computed_location=(
            Location(lat=location.lat, lng=location.lng, radius=location.radius)
            if location
            else None
        ),
        link_quality=message.link_quality,
        rinfos=[
            _reception_info(heard.station_id, heard.snr, stations.get(heard.station_id))
            for heard in message.receptions
        ]
        or None,
        cb_status=[
            CallbackStatus(
                status=attempt.status, info=attempt.info, cb_def=callback_definition(attempt)
            )
            for attempt in attempts
        ]
        or None,
        downlink_answer_status=(
            DownlinkAnswerStatus(
                status=message.downlink_status,
                data=message.downlink_data,
                info=message.downlink_info,
            )
            if message.downlink_status is not None
            else None
        ),
    )


Lister = Callable[..., messages.Listing]
Found = tuple[messages.Listing, dict[int, list[Attempt]]]


def _page(conn: Connection, lister: Lister, owner: str, window: Window, page: Page) -> Found:
    """A page of messages and the callback attempts made for them."""
    listing = lister(
        conn,
        owner,
        since=window.since,
        before=window.before,
        limit=page.limit,
        offset=page.offset,
    )
    return listing, callback_attempts.for_messages(conn, [m.id for m in listing.messages])


def _of_device_type(
    conn: Connection, principal: Principal, device_type_id: str, window: Window, page: Page
) -> Found:
    owner = scope.device_type(conn, principal, device_type_id).id
    return _page(conn, messages.of_device_type, owner, window, page)


def _of_device(
    conn: Connection, principal: Principal, device_id: str, window: Window, page: Page
) -> Found:
    owner = scope.device(conn, principal, device_id)[0].id
    return _page(conn, messages.of_device, owner, window, page)


def _message_list(
    request: Request, settings: Settings, page: Page, window: Window, found: Found
) -> MessageList:
    listing, attempts = found
    shown = listing.messages
    return MessageList(
        data=[to_api(message, listing.stations, attempts.get(message.id, ())) for message in shown],
        paging=next_by_time(request, settings, page, window, [m.time for m in shown], listing.more),
    )


@router.get(
    "/devicetypes/{device_type_id}/messages",
    response_model=MessageList,
    response_model_exclude_none=True,
    summary="Messages sent by the devices of a device type",
)
async def list_device_type_messages(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: SecondsDep,
    device_type_id: DeviceTypeId,
) -> MessageList:
    """Get the messages sent by all the devices of a device type, most recent first."""
    found = await db.read(_of_device_type, principal, device_type_id, window, page)
    return _message_list(request, settings, page, window, found)


@router.get(
    "/devices/{device_id}/messages",
    response_model=MessageList,
    response_model_exclude_none=True,
    summary="Messages sent by a device",
)
async def list_device_messages(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: SecondsDep,
    device_id: DeviceId,
) -> MessageList:
    """Get the messages that were sent by a device, most recent first."""
    found = await db.read(_of_device, principal, device_id, window, page)
    return _message_list(request, settings, page, window, found)


def _locations(
    conn: Connection, principal: Principal, device_id: str, window: Window, page: Page
) -> messages.Listing:
    device = scope.device(conn, principal, device_id)[0]
    return messages.of_device(
        conn,
        device.id,
        since=window.since,
        before=window.before,
        limit=page.limit,
        offset=page.offset,
    )


def to_location(time: int, location: ComputedLocation | None) -> DeviceLocation:
    """The seed 002 shape of a message's location: position fields only when valid."""
    if location is None:
        return DeviceLocation(time=time, valid=False)
    return DeviceLocation(
        time=time, valid=True, lat=location.lat, lng=location.lng, radius=location.radius
    )


@router.get(
    "/devices/{device_id}/locations",
    response_model=LocationList,
    response_model_exclude_none=True,
    summary="Messages location for one device",
)
async def list_device_locations(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: SecondsDep,
    device_id: DeviceId,
) -> LocationList:
    """Get the messages location from GPS data or the stations that heard them, most recent
    first."""
    listing = await db.read(_locations, principal, device_id, window, page)
    shown = listing.messages
    return LocationList(
        data=[
            to_location(message.time, locating.of_message(message, listing.stations))
            for message in shown
        ],
        paging=next_by_time(request, settings, page, window, [m.time for m in shown], listing.more),
    )
