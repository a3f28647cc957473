"""What a claimed delivery renders: its variables, their kinds and its idempotency key."""

from __future__ import annotations

from foxden.dispatch.channels import Item
from foxden.domain import deliveries
from foxden.domain.messages import Message, Reception
from foxden.storage.callbacks import Callback
from foxden.storage.deliveries import Context
from foxden.storage.outbox import Claimed


def for_message(row: Claimed, message: Message, callback: Callback, context: Context) -> Item:
    """The delivery of a message to a callback: the reception it names (a duplicate's own
    station, else the first) with that station's position and the device's link window."""
    reception = _reception(message, row.station_id)
    position = context.positions.get(reception.station_id) if reception else None
    heard = deliveries.Heard(
        message,
        reception,
        station_position=(position.lat, position.lng) if position else None,
        duplicate=row.duplicate,
        link_window=context.link_windows.get(message.device_id, ()),
    )
    key = f"{message.id}:{callback.id}"
    if row.duplicate and row.station_id:
        key = f"{key}:{row.station_id}"
    return Item(
        deliveries.variables(heard, callback.payload_config),
        deliveries.kinds(
            callback.callback_type, callback.callback_subtype, callback.payload_config
        ),
        key,
    )


def _reception(message: Message, station_id: str | None) -> Reception | None:
    """The reception a delivery reports: the named station's, else the first one's."""
    if station_id is not None:
        for reception in message.receptions:
            if reception.station_id == station_id:
                return reception
    return message.receptions[0] if message.receptions else None
