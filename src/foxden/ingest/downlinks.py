"""The downlink a frame with ``ack`` gets, decided in the frame's own transaction.

First the device's downlink queue (foxden's, oldest pending first); then its device type's
``downlinkMode``: DIRECT renders ``downlinkDataString``, CALLBACK asks the selected BIDIR
callback (the row is queued here as claimed by the request, which asks it once committed), NONE
sends nothing. An ACKNOWLEDGE frame settles the queued downlink the device last took and gets
the ``infoCode`` of the downlink it last asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from foxden.domain import downlink
from foxden.domain.callbacks import event_name
from foxden.domain.coverage import Position
from foxden.domain.device_types import DeviceType, DownlinkMode
from foxden.domain.downlink import Status
from foxden.domain.messages import Message
from foxden.domain.uplinks import Uplink
from foxden.storage import deliveries, device_days, downlinks, messages, outbox, stations
from foxden.storage.callbacks import Callback
from foxden.storage.outbox import Claimed


@dataclass(frozen=True, slots=True)
class Ask:
    """The downlink callback to ask before answering, its outbox row, claimed, and what the
    row renders: read in the frame's transaction, so asking reads nothing more."""

    callback: Callback
    row: Claimed
    context: deliveries.Context


@dataclass(frozen=True, slots=True)
class Answer:
    """The downlink decided so far: 8 bytes as hex when there are some, or the callback to ask."""

    status: Status
    data: str | None = None
    ask: Ask | None = None


def decide(
    conn: Connection,
    message: Message,
    link_window: Sequence[Sequence[float]],
    device_type: DeviceType,
    fired: Sequence[Callback],
    now: int,
    lease_ms: int,
) -> Answer:
    """The answer to the request for a downlink of ``message``, just stored, recorded on it;
    ``link_window`` is its device's, with it."""
    answer = _choose(conn, message, link_window, device_type, fired, now, lease_ms)
    messages.set_downlink(conn, message.id, answer.status, answer.data, _INFO.get(answer.status))
    if answer.data is not None:
        device_days.count_downlink(conn, message.device_id, message.time)
    return answer


def given(message: Message) -> Answer | None:
    """The downlink recorded on a message that asked for one: what its first answer carried, or
    PENDING while the downlink callback is being asked (or was, by a process that died)."""
    if message.downlink_status is None:
        return None
    return Answer(Status(message.downlink_status), message.downlink_data)


def _choose(
    conn: Connection,
    message: Message,
    link_window: Sequence[Sequence[float]],
    device_type: DeviceType,
    fired: Sequence[Callback],
    now: int,
    lease_ms: int,
) -> Answer:
    queued = downlinks.take(conn, message.device_id, message.id, message.time)
    if queued is not None:
        return Answer(Status.SENT, queued.data)
    mode = device_type.downlink_mode
    [reception] = message.receptions
    if mode is DownlinkMode.DIRECT:
        if not device_type.downlink_data_string:
            return Answer(Status.NOT_CONFIGURED)
        data = downlink.render(
            device_type.downlink_data_string,
            rssi=reception.rssi,
            tap_id=reception.station_id,
            time_s=message.time // 1000,
        )
        return Answer(Status.SENT, data.hex())
    if mode is DownlinkMode.CALLBACK:
        hook = next((cb for cb in fired if cb.downlink_hook), None)
        if hook is None:
            return Answer(Status.NOT_CONFIGURED)
        entry = outbox.Entry(
            message.id, event_name(hook.callback_type, hook.callback_subtype), hook.id
        )
        row_id = outbox.enqueue_claimed(conn, entry, now, lease_ms)
        row = Claimed(row_id, message.id, hook.id, entry.event, None, False, 0, now)
        return Answer(
            Status.PENDING, ask=Ask(hook, row, _context(conn, message, link_window, hook))
        )
    return Answer(Status.NO_DATA)


def _context(
    conn: Connection,
    message: Message,
    link_window: Sequence[Sequence[float]],
    hook: Callback,
) -> deliveries.Context:
    """What the downlink callback's delivery renders, from what the frame's transaction holds:
    only the receiving station's position is read."""
    station = stations.get(conn, message.receptions[0].station_id)
    positions = {}
    if station is not None and station.lat is not None and station.lng is not None:
        positions[station.id] = Position(station.lat, station.lng)
    return deliveries.Context(
        messages={message.id: message},
        callbacks={hook.id: hook},
        link_windows={message.device_id: tuple((float(s), float(r)) for s, r in link_window)},
        positions=positions,
        events={},
        fixed_positions={},
    )


_INFO = {
    Status.NOT_CONFIGURED: "The device type answers by callback but has no downlink callback"
    " selected, or its downlink data is not set.",
}


def settle(conn: Connection, uplink: Uplink, service: dict[str, Any], now: int) -> dict[str, Any]:
    """An ACKNOWLEDGE frame's service values with ``infoCode``, ``infoMessage`` and
    ``downlinkOverusage``, for the downlink the device last asked for; if that one came from
    the queue, it is now acked or failed."""
    acked = bool(service.get("downlinkAck", True))
    last = messages.last_downlink(conn, uplink.device_id)
    if last is not None:
        downlinks.settle(conn, last[0], acked, now)
    code, text = downlink.info_code(last[1] if last is not None else None, acked)
    return {
        **service,
        "downlinkAck": acked,
        "infoCode": code,
        "infoMessage": text,
        "downlinkOverusage": False,
    }
