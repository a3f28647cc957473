"""Callback kinds (seed 002 ``callbackType`` / ``callbackSubtype``) and which frames fire them."""

from __future__ import annotations

import enum

from foxden.domain.uplinks import FrameKind


class CallbackType(enum.IntEnum):
    """Seed 002 ``callbackType``."""

    DATA = 0
    SERVICE = 1
    ERROR = 2


class CallbackSubtype(enum.IntEnum):
    """Seed 002 ``callbackSubtype``; each belongs to one type."""

    STATUS = 0
    GEOLOC = 1
    UPLINK = 2
    BIDIR = 3
    ACKNOWLEDGE = 4
    REPEATER = 5
    DATA_ADVANCED = 6


Kind = tuple[CallbackType, CallbackSubtype]

#: The callbacks a frame fires. A DATA frame fires both UPLINK and BIDIR callbacks; ``{ack}``
#: tells a BIDIR receiver whether the device waits for an answer.
FIRED_BY: dict[FrameKind, tuple[Kind, ...]] = {
    FrameKind.DATA: (
        (CallbackType.DATA, CallbackSubtype.UPLINK),
        (CallbackType.DATA, CallbackSubtype.BIDIR),
    ),
    FrameKind.STATUS: ((CallbackType.SERVICE, CallbackSubtype.STATUS),),
    FrameKind.ACKNOWLEDGE: ((CallbackType.SERVICE, CallbackSubtype.ACKNOWLEDGE),),
    FrameKind.REPEATER: ((CallbackType.SERVICE, CallbackSubtype.REPEATER),),
}


def event_name(callback_type: int, subtype: int) -> str:
    """The outbox event of a callback kind, such as ``data.uplink``."""
    return f"{CallbackType(callback_type).name.lower()}.{CallbackSubtype(subtype).name.lower()}"
