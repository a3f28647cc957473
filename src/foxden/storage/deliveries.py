"""What the dispatcher reads to render a batch of claimed deliveries, in one read transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from foxden.domain.coverage import Position
from foxden.domain.messages import Message
from foxden.storage import callbacks, messages
from foxden.storage.callbacks import Callback
from foxden.storage.outbox import Claimed
from foxden.storage.tables import devices


@dataclass(frozen=True, slots=True)
class Context:
    """The messages, callbacks, devices' link windows and stations' positions that a batch of
    deliveries names; a deleted object is simply absent."""

    messages: dict[int, Message]
    callbacks: dict[str, Callback]
    link_windows: dict[str, tuple[tuple[float, float], ...]]
    positions: dict[str, Position]


def load(conn: Connection, claimed: Sequence[Claimed]) -> Context:
    """Everything needed to deliver ``claimed``."""
    listing = messages.by_ids(
        conn, sorted({row.message_id for row in claimed if row.message_id is not None})
    )
    found = {message.id: message for message in listing.messages}
    device_ids = sorted({message.device_id for message in found.values()})
    windows = {
        device_id: tuple((float(snr), float(rssi)) for snr, rssi in window or ())
        for device_id, window in conn.execute(
            select(devices.c.id, devices.c.link_window).where(devices.c.id.in_(device_ids))
        )
    }
    return Context(
        messages=found,
        callbacks=callbacks.by_ids(conn, {row.callback_id for row in claimed if row.callback_id}),
        link_windows=windows,
        positions=listing.stations,
    )
