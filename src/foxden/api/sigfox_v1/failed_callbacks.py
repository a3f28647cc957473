"""Seed 002 "Messages not sent this month": the failed-callback log.

One item per message delivery the dispatcher gave up, newest message first, with what was sent
and what came back. ``since`` and ``before`` are Unix milliseconds while each item's ``time`` is
in seconds, as the seed has them. The seed's field list names the device type ``deviceType``
while two of its three examples name it ``deviceId``: both are given, so that a client reading
either finds it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection
from starlette.datastructures import URL

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.paging import MillisecondsDep, PageDep, Paging, next_by_time
from foxden.domain.clock import DAY_MS, now_ms
from foxden.domain.principals import Principal
from foxden.storage import callback_attempts
from foxden.storage.callback_attempts import Attempt, Devices, FailedDelivery

router = APIRouter(tags=["Callbacks"])

# "This month": how far back the log reads when the request gives no ``since``.
DEFAULT_SPAN_MS = 30 * DAY_MS
# The HTTP methods whose request carries a body (and so a content type).
_WITH_BODY = frozenset({"POST", "PUT"})


class FailedCallback(BaseModel):
    """What was sent: an HTTP request, or a mail."""

    model_config = ConfigDict(populate_by_name=True)

    url: str | None = Field(None, description="HTTP: the URL called.")
    headers: dict[str, str] | None = Field(None, description="HTTP: the headers sent, if any.")
    method: str | None = Field(None, description="HTTP: the method.")
    body: str | None = Field(None, description="HTTP: the body of a POST or PUT.")
    content_type: str | None = Field(
        None, alias="contentType", description="HTTP: the content type of a POST or PUT."
    )
    subject: str | None = Field(None, description="Email: the subject of the mail.")
    message: str | None = Field(None, description="Email: the body of the mail.")


class FailedMessage(BaseModel):
    """A message whose delivery to a callback failed."""

    model_config = ConfigDict(populate_by_name=True)

    device: str = Field(description="The device identifier.")
    device_type: str = Field(alias="deviceType", description="The device type identifier.")
    device_id: str = Field(
        alias="deviceId", description="The device type identifier again, as the seed shows it."
    )
    time: int = Field(description="When the message was sent, Unix seconds.")
    data: str = Field(description="The message content, hex encoded.")
    snr: float | None = Field(None, description="The SNR of the message.")
    status: int = Field(description="The callback response status, 600 when there was none.")
    message: str | None = Field(None, description="Additional information on the response.")
    callback: FailedCallback = Field(description="What was sent.")
    parameters: dict[str, Any] | None = Field(
        None, description="The parameters the callback was built from."
    )


class FailedMessageList(BaseModel):
    """A page of the failed-callback log, newest message first."""

    data: list[FailedMessage]
    paging: Paging | None = None


def callback_to_api(attempt: Attempt) -> FailedCallback:
    """The seed shape of what an attempt sent: no headers when none, no body unless POST/PUT."""
    sent = attempt.request
    if attempt.channel == "EMAIL":
        return FailedCallback(subject=sent.get("subject"), message=sent.get("message"))
    with_body = sent.get("method") in _WITH_BODY
    return FailedCallback(
        url=sent.get("url"),
        headers=sent.get("headers") or None,
        method=sent.get("method"),
        body=sent.get("body") if with_body else None,
        content_type=sent.get("contentType") if with_body else None,
    )


def to_api(failure: FailedDelivery) -> FailedMessage:
    """The seed shape of a failed delivery; empty values are left out."""
    attempt = failure.attempt
    return FailedMessage(
        device=failure.device_id,
        device_type=attempt.device_type_id,
        device_id=attempt.device_type_id,
        time=attempt.event_time // 1000,
        data=failure.data,
        snr=failure.snr,
        status=attempt.status,
        message=attempt.info,
        callback=callback_to_api(attempt),
        parameters=attempt.parameters or None,
    )


def _devices(
    conn: Connection,
    principal: Principal,
    hex_id: str | None,
    device_type_id: str | None,
    group_id: str | None,
) -> Devices:
    """The most precise object named: a device, else a device type, else a group (by default
    the principal's). Every object named must be visible to the principal, else 404."""
    group = scope.group(conn, principal, group_id).id if group_id else principal.group_id
    device_type = scope.device_type(conn, principal, device_type_id).id if device_type_id else None
    if hex_id is not None:
        device, owner = scope.device(conn, principal, hex_id)
        return Devices(device_type_id=owner.id, device_id=device.id)
    if device_type is not None:
        return Devices(device_type_id=device_type)
    return Devices(group_id=group)


@router.get(
    "/callbacks/messages/error",
    response_model=FailedMessageList,
    response_model_exclude_none=True,
    summary="Messages not sent this month",
)
async def list_failed_callbacks(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    window: MillisecondsDep,
    hex_id: Annotated[
        str | None,
        Query(alias="hexId", pattern="^[0-9A-Fa-f]{1,8}$", description="A device identifier."),
    ] = None,
    device_type_id: Annotated[
        str | None,
        Query(
            alias="deviceId",
            pattern="^[0-9a-f]{24}$",
            description="A device type identifier, used if no hexId is given.",
        ),
    ] = None,
    group_id: Annotated[
        str | None,
        Query(
            alias="groupId",
            pattern="^[0-9a-f]{24}$",
            description="A group identifier (with the groups below it), used if neither hexId "
            "nor deviceId is given; default: your group.",
        ),
    ] = None,
) -> FailedMessageList:
    """Returns device messages where at least one callback has failed, most recent first."""
    since = now_ms() - DEFAULT_SPAN_MS if window.since is None else window.since

    def read(conn: Connection) -> list[FailedDelivery]:
        return callback_attempts.failed_deliveries(
            conn,
            _devices(conn, principal, hex_id, device_type_id, group_id),
            since=since,
            before=window.before,
            limit=page.limit + 1,
            offset=page.offset,
        )

    found = await db.read(read)
    shown = found[: page.limit]
    times = [failure.attempt.event_time for failure in shown]
    paging = next_by_time(request, settings, page, window, times, len(found) > page.limit)
    if paging is not None:
        # A later page reads the same month as this one, not a month before its own request.
        paging = Paging(next=str(URL(paging.next).include_query_params(since=since)))
    return FailedMessageList(data=[to_api(failure) for failure in shown], paging=paging)
