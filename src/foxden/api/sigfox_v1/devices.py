"""Seed 002 "Devices API": device lists and information, token and network state, message
metrics and daily consumptions.

Units follow the seed per field: ``last`` is in seconds, ``activationTime`` and ``tokenEnd`` in
milliseconds. Token fields appear only when the device has a token, ``tokenEnd`` only for a
CONTRACT token and ``freeMessages`` only for a FREE one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.paging import PageDep, Paging, next_page
from foxden.api.sigfox_v1.scope import DeviceId, DeviceTypeId
from foxden.domain import devices as domain
from foxden.domain import locating
from foxden.domain.clock import DAY_MS, now_ms
from foxden.domain.messages import ComputedLocation
from foxden.domain.principals import Principal
from foxden.storage import device_days, devices, messages

router = APIRouter(tags=["Devices"])

# The metric periods, newest first: 24 hours, 7 days, 30 days.
_METRIC_PERIODS = (DAY_MS, 7 * DAY_MS, 30 * DAY_MS)


class _Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Location(_Model):
    """The estimated position of a device: a circle."""

    lat: float = Field(description="The estimated latitude.")
    lng: float = Field(description="The estimated longitude.")
    radius: int = Field(description="The radius of the circle, in metres.")


# The token fields, shared by a device and its token state; present only with a token.
TokenTypeField = Annotated[
    domain.TokenType | None,
    Field(alias="tokenType", description="CONTRACT or FREE; only if a token exists."),
]
ContractIdField = Annotated[
    str | None, Field(alias="contractId", description="The contract of the token, if known.")
]
TokenEndField = Annotated[
    int | None,
    Field(alias="tokenEnd", description="When the token expires, Unix ms; CONTRACT only."),
]
FreeMessagesField = Annotated[
    int | None,
    Field(alias="freeMessages", description="Free messages left on the token; FREE only."),
]


class Device(_Model):
    """A device information record."""

    id: str = Field(description="The device's identifier.")
    name: str = Field(description="The device's friendly name.")
    type: str = Field(description="Identifier of the device type this device belongs to.")
    last: int = Field(
        description="Last time the device sent a message, Unix seconds; 0 if it never did."
    )
    average_signal: float | None = Field(
        None, alias="averageSignal", description="Deprecated: the same as averageSnr."
    )
    average_snr: float | None = Field(
        None, alias="averageSnr", description="Average SNR of the last 25 messages, in dB."
    )
    average_rssi: float | None = Field(
        None, alias="averageRssi", description="Average RSSI of the last 25 messages, in dBm."
    )
    state: domain.DeviceState = Field(
        description="0 OK, 1 communication timeout, 2 off contract, 3 disabled, 4 network issues."
    )
    lat: float | None = Field(None, description="The provided latitude of the device.")
    lng: float | None = Field(None, description="The provided longitude of the device.")
    computed_location: Location | None = Field(
        None,
        alias="computedLocation",
        description="The position of the newest located message among the last 25: its GPS "
        "fix, else the estimate from the stations that heard it.",
    )
    activation_time: int | None = Field(
        None, alias="activationTime", description="When the token was taken, Unix ms."
    )
    pac: str = Field(description="The device's PAC.")
    token_type: TokenTypeField = None
    contract_id: ContractIdField = None
    token_end: TokenEndField = None
    free_messages: FreeMessagesField = None
    prevent_renewal: bool | None = Field(
        None, alias="preventRenewal", description="True if token renewal is deactivated."
    )


class DeviceList(BaseModel):
    """A page of devices."""

    data: list[Device]
    paging: Paging | None = None


class TokenState(_Model):
    """The state of a device's token."""

    code: domain.TokenStateCode = Field(description="0 OK, 1 KO, 2 N/A.")
    detail_message: str = Field(
        alias="detailMessage",
        description='"Ok", "Off contract", "Invalid token" or "Not communicated".',
    )
    token_type: TokenTypeField = None
    contract_id: ContractIdField = None
    token_end: TokenEndField = None
    free_messages: FreeMessagesField = None


class NetworkState(_Model):
    """The network status of a device."""

    network_status: Literal["OK", "NOK"] = Field(
        alias="networkStatus", description="OK when the network works for the device, or NOK."
    )


class MessageMetrics(_Model):
    """How many messages a device sent lately."""

    last_day: int = Field(alias="lastDay", description="Messages of the last 24 hours.")
    last_week: int = Field(alias="lastWeek", description="Messages of the last 7 days.")
    last_month: int = Field(alias="lastMonth", description="Messages of the last 30 days.")


class DayConsumption(_Model):
    """A device's frames on one day."""

    frame_count: int = Field(alias="frameCount", description="Uplink messages received.")
    downlink_frame_count: int = Field(
        alias="downlinkFrameCount", description="Downlink messages sent."
    )


class Consumption(BaseModel):
    """A device's consumption over a year."""

    id: str = Field(description="{device-id}_{year}.")
    consumptions: list[DayConsumption] = Field(
        description="One entry per day of the year: index 0 is 1 January, 9 is 10 January."
    )


class YearConsumption(BaseModel):
    """The body of a device's consumptions."""

    consumption: Consumption


def _token_fields(token: domain.Token | None) -> dict[str, Any]:
    """The token fields of a device: none without a token, the end or the count by type."""
    if token is None:
        return {}
    contract = token.type is domain.TokenType.CONTRACT
    return {
        "token_type": token.type,
        "contract_id": token.contract_id or None,
        "token_end": token.end if contract else None,
        "free_messages": None if contract else token.free_messages,
    }


def to_api(device: domain.Device, location: ComputedLocation | None) -> Device:
    """The seed 002 shape of a device; empty values are left out."""
    token = device.token
    return Device(
        id=device.id,
        name=device.name,
        type=device.device_type_id,
        last=(device.last_seen_at or 0) // 1000,
        average_signal=device.average_snr,
        average_snr=device.average_snr,
        average_rssi=device.average_rssi,
        state=device.state,
        lat=device.lat,
        lng=device.lng,
        computed_location=(
            Location(lat=location.lat, lng=location.lng, radius=location.radius)
            if location
            else None
        ),
        activation_time=token.activation_time if token else None,
        pac=device.pac,
        prevent_renewal=token.prevent_renewal if token else None,
        **_token_fields(token),
    )


def _locations(conn: Connection, message_ids: Sequence[int | None]) -> dict[int, ComputedLocation]:
    """The location of each of these messages (None ids skipped): its GPS fix, else the
    estimate from the stations that heard it."""
    listing = messages.by_ids(conn, [found for found in message_ids if found is not None])
    located = {m.id: locating.of_message(m, listing.stations) for m in listing.messages}
    return {message_id: place for message_id, place in located.items() if place is not None}


def _of_type(
    conn: Connection,
    principal: Principal,
    device_type_id: str,
    snr: tuple[float, float | None] | None,
    limit: int,
    offset: int,
) -> list[tuple[domain.Device, ComputedLocation | None]]:
    found = scope.device_type(conn, principal, device_type_id)
    page = devices.find(conn, found.id, snr=snr, limit=limit, offset=offset)
    places = _locations(conn, [located for _, located in page])
    return [
        (device, places.get(located) if located is not None else None) for device, located in page
    ]


@router.get(
    "/devicetypes/{device_type_id}/devices",
    response_model=DeviceList,
    response_model_exclude_none=True,
    summary="Devices for a given device type",
)
async def list_devices(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    device_type_id: DeviceTypeId,
    snr: Annotated[
        int | None,
        Query(
            ge=1,
            le=4,
            description="Average SNR class: 1 for [0, 10) dB, 2 for [10, 13), 3 for [13, 20), "
            "4 for 20 dB and above.",
        ),
    ] = None,
) -> DeviceList:
    """Lists the devices associated to a specific device type, by id."""
    bounds = None if snr is None else domain.SNR_CLASSES[snr]
    found = await db.read(_of_type, principal, device_type_id, bounds, page.limit + 1, page.offset)
    return DeviceList(
        data=[to_api(device, location) for device, location in found[: page.limit]],
        paging=next_page(request, settings, page, more=len(found) > page.limit),
    )


def _information(
    conn: Connection, principal: Principal, device_id: str
) -> tuple[domain.Device, ComputedLocation | None]:
    device, _ = scope.device(conn, principal, device_id)
    located = devices.located_message(conn, device.id)
    return device, _locations(conn, [located]).get(located) if located is not None else None


@router.get(
    "/devices/{device_id}",
    response_model=Device,
    response_model_exclude_none=True,
    summary="Device information",
)
async def get_device(db: Db, principal: PrincipalDep, device_id: DeviceId) -> Device:
    """Gets information about a device."""
    return to_api(*await db.read(_information, principal, device_id))


def _device(conn: Connection, principal: Principal, device_id: str) -> domain.Device:
    return scope.device(conn, principal, device_id)[0]


@router.get(
    "/devices/{device_id}/token-state",
    response_model=TokenState,
    response_model_exclude_none=True,
    summary="Device token state",
)
async def get_device_token_state(
    db: Db, principal: PrincipalDep, device_id: DeviceId
) -> TokenState:
    """Gets information about a device's token."""
    device = await db.read(_device, principal, device_id)
    state = domain.token_state(device, now_ms())
    return TokenState(code=state.code, detail_message=state.detail, **_token_fields(device.token))


@router.get(
    "/devices/{device_id}/networkstate",
    response_model=NetworkState,
    summary="Network status of a device",
)
async def get_device_network_state(
    db: Db, principal: PrincipalDep, device_id: DeviceId
) -> NetworkState:
    """Return the network status for a specific device: NOK while it has network issues."""
    device = await db.read(_device, principal, device_id)
    return NetworkState(network_status="OK" if domain.network_ok(device) else "NOK")


def _metrics(conn: Connection, principal: Principal, device_id: str, now: int) -> list[int]:
    device = _device(conn, principal, device_id)
    return devices.count_messages(conn, device.id, [now - period for period in _METRIC_PERIODS])


@router.get(
    "/devices/{device_id}/messages/metric",
    response_model=MessageMetrics,
    summary="Device message metrics",
)
async def get_device_message_metrics(
    db: Db, principal: PrincipalDep, device_id: DeviceId
) -> MessageMetrics:
    """Returns the number of messages of a device in the last 24 hours, 7 days and 30 days."""
    day, week, month = await db.read(_metrics, principal, device_id, now_ms())
    return MessageMetrics(last_day=day, last_week=week, last_month=month)


def _consumptions(
    conn: Connection, principal: Principal, device_id: str, year: int
) -> tuple[str, list[tuple[int, int]]]:
    device = _device(conn, principal, device_id)
    return device.id, device_days.find(conn, device.id, domain.days_of_year(year))


@router.get(
    "/device/{device_id}/consumptions/{year}",
    response_model=YearConsumption,
    summary="Device consumptions",
)
@router.get(
    "/devices/{device_id}/consumptions/{year}",
    response_model=YearConsumption,
    summary="Device consumptions (plural path)",
    description="An alias of `GET /device/{device_id}/consumptions/{year}`, which seed 002 "
    "writes singular: Sigfox's own v1 clients call this plural path. Same answers.",
    operation_id="get_device_consumptions_plural",
)
async def get_device_consumptions(
    db: Db,
    principal: PrincipalDep,
    device_id: DeviceId,
    year: Annotated[int, Path(ge=1970, le=9999, description="The year of consumption.")],
) -> YearConsumption:
    """Get a device's consumptions for a year, one entry per day, 1 January first."""
    canonical, days = await db.read(_consumptions, principal, device_id, year)
    return YearConsumption(
        consumption=Consumption(
            id=f"{canonical}_{year}",
            consumptions=[
                DayConsumption(frame_count=uplinks, downlink_frame_count=downlinks)
                for uplinks, downlinks in days
            ],
        )
    )
