"""Status events: what foxden tells a fleet operator about devices rather than about messages.

An ERROR event says that one device went silent (no message within its type's keepAlive); a
WARN event says that network issues may delay or lose the messages of a set of devices. Either
fires the device type's ERROR callbacks, whose attempts are kept beside the event.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from foxden.domain.clock import to_datetime
from foxden.domain.errors import InvalidInput


class Severity(enum.StrEnum):
    """How bad the news is: one device down, or a network issue for several."""

    ERROR = "ERROR"
    WARN = "WARN"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A status event of a device type; ``time`` in Unix ms, ``device_ids`` sorted."""

    id: int
    device_type_id: str
    severity: Severity
    time: int
    message: str
    device_ids: tuple[str, ...]


def concerned_devices(severity: Severity, device_ids: Iterable[str]) -> tuple[str, ...]:
    """The distinct devices an event concerns, sorted, or InvalidInput.

    An ERROR event concerns exactly one device (the seed gives it a single ``deviceId``);
    a WARN event concerns at least one.
    """
    distinct = tuple(sorted(set(device_ids)))
    if severity is Severity.ERROR and len(distinct) != 1:
        raise InvalidInput(f"an ERROR status event concerns one device, not {len(distinct)}")
    if not distinct:
        raise InvalidInput("a WARN status event concerns at least one device")
    return distinct


#: The ``info`` of a WARN event, in the words of the callback reference data.
NETWORK_WARNING = (
    "Sigfox network experiencing issues that could cause message loss or delay for some devices."
)


def _utc(time_ms: int) -> str:
    return to_datetime(time_ms).strftime("%Y-%m-%d %H:%M:%S UTC")


def communication_lost(last_seen_ms: int) -> str:
    """The text of the ERROR event of a device silent since its message at ``last_seen_ms``."""
    return f"No message received since {_utc(last_seen_ms)}"


def communication_restored(time_ms: int) -> str:
    """The text of the event that ends a silence: the device was heard again."""
    return f"Communication restored: message received at {_utc(time_ms)}"
