"""Seed 002 "Callback creation" to "Callback downlink selection": a device type's callbacks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, RuntimeDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.paging import MAX_TIME
from foxden.api.sigfox_v1.scope import DeviceTypeId
from foxden.domain import callback_definitions
from foxden.domain.callbacks import (
    FIRED_BY,
    CallbackType,
    Channel,
    answers_downlinks,
    event_name,
    kind_name,
)
from foxden.domain.clock import now_ms
from foxden.domain.errors import Forbidden, NotFound
from foxden.domain.ids import is_object_id
from foxden.domain.principals import Principal
from foxden.storage import callbacks, outbox
from foxden.storage.callbacks import Callback

router = APIRouter(tags=["Callbacks"])

CallbackId = Annotated[
    str,
    Path(description="The callback identifier as returned by /api/devicetypes/{id}/callbacks."),
]

_SEED_EXAMPLE = [
    {
        "channel": "URL",
        "callbackType": 0,
        "callbackSubtype": 2,
        "url": "http://myserver.com/sigfox/callback",
        "httpMethod": "POST",
        "enabled": True,
        "sendDuplicate": False,
        "sendSni": False,
        "payloadConfig": "var1::bool:1",
        "bodyTemplate": "device : {device} / {customData#var1}",
        "headers": {"time": "{time}"},
        "contentType": "text/plain",
    },
    {
        "channel": "BATCH_URL",
        "callbackType": 0,
        "callbackSubtype": 2,
        "url": "http://myserver.com/sigfox/callback/batch",
        "linePattern": "{device};{data};",
        "enabled": True,
        "sendDuplicate": False,
        "sendSni": False,
    },
]

Definitions = Annotated[
    list[dict[str, Any]],
    Body(
        description=(
            "Callback definitions, each with channel (URL, BATCH_URL or EMAIL), callbackType,"
            " callbackSubtype, enabled, sendDuplicate, payloadConfig (DATA only), and its"
            " channel's fields: url, httpMethod, headers, sendSni, bodyTemplate, contentType"
            " (URL); url, linePattern, sendSni (BATCH_URL); subject, recipient, message (EMAIL)."
            " foxden extension: signingSecret (URL, BATCH_URL), the key of an HMAC-SHA256"
            " signature of each request, never shown again."
        ),
        examples=[_SEED_EXAMPLE],
    ),
]


class CallbackItem(BaseModel):
    """A callback of a device type; fields its channel does not have are left out."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="The callback's identifier.")
    channel: str = Field(description="URL, BATCH_URL or EMAIL.")
    callback_type: int = Field(alias="callbackType", description="0 DATA, 1 SERVICE, 2 ERROR.")
    callback_subtype: int = Field(
        alias="callbackSubtype",
        description="2 UPLINK, 3 BIDIR (DATA); 0 STATUS, 1 GEOLOC, 4 ACKNOWLEDGE, 5 REPEATER,"
        " 6 DATA_ADVANCED (SERVICE); 0 for ERROR callbacks, which have no subtype.",
    )
    payload_config: str | None = Field(
        None, alias="payloadConfig", description="The custom payload configuration (DATA only)."
    )
    url_pattern: str | None = Field(None, alias="urlPattern", description="The callback URL.")
    http_method: str | None = Field(None, alias="httpMethod", description="GET, POST or PUT.")
    headers: dict[str, str] | None = Field(None, description="Headers of the HTTP request.")
    send_sni: bool | None = Field(
        None, alias="sendSni", description="Send SNI for TLS connections (foxden addition)."
    )
    content_type: str | None = Field(
        None, alias="contentType", description="Content type of the body (foxden addition)."
    )
    body_template: str | None = Field(
        None, alias="bodyTemplate", description="The body template (foxden addition)."
    )
    line_pattern: str | None = Field(
        None, alias="linePattern", description="The line pattern representing a message."
    )
    subject: str | None = Field(None, description="The mail subject.")
    recipient: str | None = Field(None, description="The recipient of the email.")
    message: str | None = Field(None, description="The content of the message.")
    enabled: bool = Field(description="True if the callback is enabled.")
    send_duplicate: bool = Field(alias="sendDuplicate", description="True to send duplicates.")
    dead: bool = Field(description="True if the last use of the callback failed.")
    downlink_hook: bool = Field(
        alias="downlinkHook", description="True if this callback is used for downlink."
    )


class CallbackList(BaseModel):
    """A device type's callbacks by type, in creation order; every list is always present."""

    data: list[CallbackItem]
    service: list[CallbackItem]
    error: list[CallbackItem]


# Channel field -> API field, for the fields shown as stored.
_SHOWN = {
    "url": "url_pattern",
    "httpMethod": "http_method",
    "headers": "headers",
    "sendSni": "send_sni",
    "contentType": "content_type",
    "bodyTemplate": "body_template",
    "linePattern": "line_pattern",
    "subject": "subject",
    "recipient": "recipient",
    "message": "message",
}


def to_api(callback: Callback) -> CallbackItem:
    """The seed 002 shape of a callback; empty values are left out."""
    shown = {
        field: callback.settings[name]
        for name, field in _SHOWN.items()
        if callback.settings.get(name) not in (None, "", {})
    }
    if callback.channel == Channel.BATCH_URL:
        shown["http_method"] = "POST"
    is_data = callback.callback_type == CallbackType.DATA
    return CallbackItem(
        id=callback.id,
        channel=callback.channel,
        callback_type=callback.callback_type,
        callback_subtype=callback.callback_subtype,
        payload_config=callback.payload_config if is_data else None,
        enabled=callback.enabled,
        send_duplicate=callback.send_duplicate,
        dead=callback.dead,
        downlink_hook=callback.downlink_hook,
        **shown,
    )


def _create(
    conn: Connection,
    principal: Principal,
    device_type_id: str,
    definitions: list[callback_definitions.Definition],
) -> list[str]:
    owner = scope.device_type(conn, principal, device_type_id)
    return [
        callbacks.create(
            conn,
            owner.id,
            definition.channel,
            definition.callback_type,
            definition.callback_subtype,
            enabled=definition.enabled,
            send_duplicate=definition.send_duplicate,
            payload_config=definition.payload_config,
            settings=definition.settings,
            signing_secret=definition.signing_secret,
        ).id
        for definition in definitions
    ]


def _list(conn: Connection, principal: Principal, device_type_id: str) -> CallbackList:
    owner = scope.device_type(conn, principal, device_type_id)
    by_type: dict[int, list[CallbackItem]] = {t: [] for t in CallbackType}
    for callback in callbacks.find(conn, owner.id):
        by_type[callback.callback_type].append(to_api(callback))
    return CallbackList(
        data=by_type[CallbackType.DATA],
        service=by_type[CallbackType.SERVICE],
        error=by_type[CallbackType.ERROR],
    )


def _not_found(device_type_id: str, callback_id: str) -> NotFound:
    return NotFound(f"Callback {callback_id} not found in device type {device_type_id}.")


def _delete(conn: Connection, principal: Principal, device_type_id: str, callback_id: str) -> None:
    owner = scope.device_type(conn, principal, device_type_id)
    if not (is_object_id(callback_id) and callbacks.delete(conn, owner.id, callback_id)):
        raise _not_found(device_type_id, callback_id)


def _enable(
    conn: Connection, principal: Principal, device_type_id: str, callback_id: str, enabled: bool
) -> None:
    owner = scope.device_type(conn, principal, device_type_id)
    if not (is_object_id(callback_id) and callbacks.enable(conn, owner.id, callback_id, enabled)):
        raise _not_found(device_type_id, callback_id)


def _select_downlink(
    conn: Connection, principal: Principal, device_type_id: str, callback_id: str
) -> None:
    owner = scope.device_type(conn, principal, device_type_id)
    found = callbacks.get(conn, owner.id, callback_id) if is_object_id(callback_id) else None
    if found is None:
        raise _not_found(device_type_id, callback_id)
    if not answers_downlinks(found.channel, found.callback_type, found.callback_subtype):
        kind = kind_name(found.callback_type, found.callback_subtype)
        raise Forbidden(
            "Forbidden owing to some constraints: only a DATA BIDIR callback on the URL or"
            f" BATCH_URL channel can answer downlinks, and callback {found.id} is"
            f" {kind} on the {found.channel} channel."
        )
    callbacks.select_downlink(conn, owner.id, found.id)


_OK: dict[int | str, dict[str, Any]] = {200: {"description": "Done; the response has no body."}}


@router.post(
    "/devicetypes/{device_type_id}/callbacks/new",
    response_model=list[str],
    summary="Callback creation",
)
async def create_callbacks(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId, definitions: Definitions
) -> list[str]:
    """Create callbacks: all of them, or none if one is invalid; their ids, in request order."""
    # Scoped first, so that another tenant's device type is a 404 whatever the body; checked
    # before the write, so that the writer, which ingest shares, never waits on the checks.
    await db.read(scope.device_type, principal, device_type_id)
    parsed = callback_definitions.parse_all(definitions)
    return await db.write(_create, principal, device_type_id, parsed)


@router.post(
    "/devicetypes/{device_type_id}/callbacks",
    response_model=CallbackList,
    response_model_exclude_none=True,
    summary="Callback list",
)
async def list_callbacks(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId
) -> CallbackList:
    """List the callbacks for a device type."""
    return await db.read(_list, principal, device_type_id)


@router.get(
    "/devicetypes/{device_type_id}/callbacks",
    response_model=CallbackList,
    response_model_exclude_none=True,
    summary="Callback list",
)
async def get_callbacks(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId
) -> CallbackList:
    """List the callbacks for a device type (the GET that clients also send)."""
    return await db.read(_list, principal, device_type_id)


@router.post(
    "/devicetypes/{device_type_id}/callbacks/{callback_id}/delete",
    summary="Callback deletion",
    response_class=Response,
    responses=_OK,
)
async def delete_callback(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId, callback_id: CallbackId
) -> Response:
    """Delete a callback."""
    await db.write(_delete, principal, device_type_id, callback_id)
    return Response(status_code=200)


@router.post(
    "/devicetypes/{device_type_id}/callbacks/{callback_id}/enable",
    summary="Callback enable/disable",
    response_class=Response,
    responses=_OK,
)
async def enable_callback(
    db: Db,
    principal: PrincipalDep,
    device_type_id: DeviceTypeId,
    callback_id: CallbackId,
    enabled: Annotated[
        bool, Query(description="true to enable the callback, false to disable it.")
    ],
) -> Response:
    """Enable or disable a callback."""
    await db.write(_enable, principal, device_type_id, callback_id, enabled)
    return Response(status_code=200)


@router.post(
    "/devicetypes/{device_type_id}/callbacks/{callback_id}/downlink",
    summary="Callback downlink selection",
    response_class=Response,
    responses={
        **_OK,
        403: {"description": "The callback is not a DATA BIDIR callback that can answer."},
    },
)
async def select_downlink_callback(
    db: Db, principal: PrincipalDep, device_type_id: DeviceTypeId, callback_id: CallbackId
) -> Response:
    """Select a downlink callback; the one previously selected is no longer selected."""
    await db.write(_select_downlink, principal, device_type_id, callback_id)
    return Response(status_code=200)


class Replayed(BaseModel):
    """What a replay queued."""

    queued: int = Field(description="Deliveries queued: one per message of the range.")


def _replay(
    conn: Connection,
    principal: Principal,
    device_type_id: str,
    callback_id: str,
    since: int,
    before: int,
) -> Replayed:
    owner = scope.device_type(conn, principal, device_type_id)
    found = callbacks.get(conn, owner.id, callback_id) if is_object_id(callback_id) else None
    if found is None:
        raise _not_found(device_type_id, callback_id)
    kind = (found.callback_type, found.callback_subtype)
    frames = [frame.value for frame, fired in FIRED_BY.items() if kind in fired]
    event = event_name(found.callback_type, found.callback_subtype)
    queued = outbox.replay(conn, found.id, event, owner.id, frames, since, before, now_ms())
    return Replayed(queued=queued)


@router.post(
    "/devicetypes/{device_type_id}/callbacks/{callback_id}/replay",
    response_model=Replayed,
    summary="Callback replay (foxden extension)",
)
async def replay_callback(
    runtime: RuntimeDep,
    principal: PrincipalDep,
    device_type_id: DeviceTypeId,
    callback_id: CallbackId,
    since: Annotated[
        int, Query(ge=0, le=MAX_TIME, description="Replay messages since this time, Unix ms.")
    ],
    before: Annotated[
        int | None,
        Query(ge=0, le=MAX_TIME, description="Replay messages before this time, Unix ms."),
    ] = None,
) -> Replayed:
    """Deliver again, through this callback, every message of the device type sent in
    [since, before) (``before`` defaults to now), as new deliveries with attempts of their
    own, whether or not earlier ones succeeded."""
    until = before if before is not None else now_ms()
    replayed = await runtime.db.write(_replay, principal, device_type_id, callback_id, since, until)
    if replayed.queued:
        runtime.outbox_queued.set()
    return replayed
