"""What the dispatcher reads to render a batch of claimed deliveries, in one read transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from foxden.domain.coverage import Position
from foxden.domain.messages import Message
from foxden.domain.status_events import StatusEvent
from foxden.storage import callbacks, messages, status_events
from foxden.storage.callbacks import Callback
from foxden.storage.outbox import Claimed
from foxden.storage.tables import devices


@dataclass(frozen=True, slots=True)
class Context:
    """The messages, status events and callbacks that a batch of deliveries names, with the
    link windows and own positions (lat/lng, if set) of the messages' devices and the positions
    of the stations that heard the messages; a deleted object is simply absent."""

    messages: dict[int, Message]
    callbacks: dict[str, Callback]
    link_windows: dict[str, tuple[tuple[float, float], ...]]
    positions: dict[str, Position]
    events: dict[int, StatusEvent]
    fixed_positions: dict[str, Position]


def load(conn: Connection, claimed: Sequence[Claimed]) -> Context:
    """Everything needed to deliver ``claimed``."""
    listing = messages.by_ids(
        conn, sorted({row.message_id for row in claimed if row.message_id is not None})
    )
    found = {message.id: message for message in listing.messages}
    device_ids = sorted({message.device_id for message in found.values()})
    windows: dict[str, tuple[tuple[float, float], ...]] = {}
    fixed: dict[str, Position] = {}
    if device_ids:
        for device_id, window, lat, lng in conn.execute(
            select(devices.c.id, devices.c.link_window, devices.c.lat, devices.c.lng).where(
                devices.c.id.in_(device_ids)
            )
        ):
            windows[device_id] = tuple((float(snr), float(rssi)) for snr, rssi in window or ())
            if lat is not None and lng is not None:
                fixed[device_id] = Position(lat, lng)
    return Context(
        messages=found,
        callbacks=callbacks.by_ids(conn, {row.callback_id for row in claimed if row.callback_id}),
        link_windows=windows,
        positions=listing.stations,
        events=status_events.by_ids(
            conn, {row.status_event_id for row in claimed if row.status_event_id is not None}
        ),
        fixed_positions=fixed,
    )
