"""What a claimed delivery renders: its variables, their kinds and its idempotency key."""

from __future__ import annotations

from foxden.dispatch.channels import Item
from foxden.domain import deliveries
from foxden.domain.callbacks import AFTER_DEDUPLICATION, ValueKind
from foxden.domain.messages import Message, Reception
from foxden.domain.status_events import StatusEvent
from foxden.storage.callbacks import Callback
from foxden.storage.deliveries import Context
from foxden.storage.outbox import Claimed


def for_message(row: Claimed, message: Message, callback: Callback, context: Context) -> Item:
    """The delivery of a message to a callback. A DATA_ADVANCED one reports every station that
    heard it; the others the reception the row names (a duplicate's own station, else the
    first) with that station's position and the device's link window."""
    if (callback.callback_type, callback.callback_subtype) in AFTER_DEDUPLICATION:
        values = deliveries.advanced_variables(
            deliveries.Advanced(
                message, context.positions, context.fixed_positions.get(message.device_id)
            )
        )
    else:
        values = deliveries.variables(_heard(row, message, context), callback.payload_config)
    key = f"{message.id}:{callback.id}"
    if row.duplicate and row.station_id:
        key = f"{key}:{row.station_id}"
    return Item(values, _kinds(callback), key)


def for_event(row: Claimed, event: StatusEvent, callback: Callback) -> Item:
    """The delivery of a status event to an ERROR callback, for the one device the row names;
    its key, unlike a message's, starts with ``event-``."""
    device_id = row.device_id or ""
    return Item(
        deliveries.event_variables(event, device_id),
        _kinds(callback),
        f"event-{event.id}:{callback.id}:{device_id}",
    )


def _kinds(callback: Callback) -> dict[str, ValueKind]:
    return deliveries.kinds(
        callback.callback_type, callback.callback_subtype, callback.payload_config
    )


def _heard(row: Claimed, message: Message, context: Context) -> deliveries.Heard:
    reception = _reception(message, row.station_id)
    position = context.positions.get(reception.station_id) if reception else None
    return deliveries.Heard(
        message,
        reception,
        station_position=(position.lat, position.lng) if position else None,
        duplicate=row.duplicate,
        link_window=context.link_windows.get(message.device_id, ()),
    )


def _reception(message: Message, station_id: str | None) -> Reception | None:
    """The reception a delivery reports: the named station's, else the first one's."""
    if station_id is not None:
        for reception in message.receptions:
            if reception.station_id == station_id:
                return reception
    return message.receptions[0] if message.receptions else None
