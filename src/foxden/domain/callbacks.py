"""Callback kinds (seed 002 ``callbackType`` / ``callbackSubtype``), which frames fire them, and
the template variables each kind offers (the callback reference data, both documentation eras).

One table, :data:`VARIABLES`, says which (type, subtype) pairs exist and what each may put in
its templates, so the validator that refuses a definition and the dispatcher that renders it can
never disagree. ERROR callbacks have no subtype in the reference data: they carry
:data:`ERROR_SUBTYPE`, the value a client fills a required integer with.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from foxden.domain.codec import Codec
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


class Channel(enum.StrEnum):
    """Where a callback goes: one HTTP request per message, lines grouped in one request, a mail."""

    URL = "URL"
    BATCH_URL = "BATCH_URL"
    EMAIL = "EMAIL"


class ValueKind(enum.Enum):
    """What a variable's rendered value is, which decides where a JSON body may place it."""

    TEXT = "text"  # a string: inside quotes in a JSON body
    NUMBER = "number"
    BOOLEAN = "boolean"
    JSON = "json"  # an object or array, inserted as JSON


Kind = tuple[CallbackType, CallbackSubtype]

ERROR_SUBTYPE = 0
"""The subtype of every ERROR callback."""

CUSTOM_DATA = "customData#"
"""The prefix of a variable naming a field of a DATA callback's ``payloadConfig``."""

#: The callbacks a frame fires. A DATA frame fires both UPLINK and BIDIR callbacks (``{ack}``
#: tells a BIDIR receiver whether the device waits for an answer), and DATA_ADVANCED ones once
#: every station has reported it (:data:`AFTER_DEDUPLICATION`).
FIRED_BY: dict[FrameKind, tuple[Kind, ...]] = {
    FrameKind.DATA: (
        (CallbackType.DATA, CallbackSubtype.UPLINK),
        (CallbackType.DATA, CallbackSubtype.BIDIR),
        (CallbackType.SERVICE, CallbackSubtype.DATA_ADVANCED),
    ),
    FrameKind.STATUS: ((CallbackType.SERVICE, CallbackSubtype.STATUS),),
    FrameKind.ACKNOWLEDGE: ((CallbackType.SERVICE, CallbackSubtype.ACKNOWLEDGE),),
    FrameKind.REPEATER: ((CallbackType.SERVICE, CallbackSubtype.REPEATER),),
}

#: The kinds sent once the de-duplication window has closed, with every reception of the frame,
#: rather than at once and again for each duplicate.
AFTER_DEDUPLICATION: frozenset[tuple[int, int]] = frozenset(
    {(CallbackType.SERVICE, CallbackSubtype.DATA_ADVANCED)}
)
#: The kind of the callbacks a status event fires.
ERROR_KIND = (CallbackType.ERROR, ERROR_SUBTYPE)

_TEXT = ValueKind.TEXT
_NUMBER = ValueKind.NUMBER
_BOOLEAN = ValueKind.BOOLEAN
_JSON = ValueKind.JSON

# The radio figures of the legacy documentation, offered by every callback of a received frame.
_RECEPTION = {
    "duplicate": _BOOLEAN,
    "snr": _NUMBER,
    "rssi": _NUMBER,
    "station": _TEXT,
    "avgSnr": _NUMBER,
    "lat": _NUMBER,
    "lng": _NUMBER,
}
_UPLINK = {
    "time": _NUMBER,
    "deviceTypeId": _TEXT,
    "device": _TEXT,
    "data": _TEXT,
    "seqNumber": _NUMBER,
    # The link quality code of the data-advanced callback (0 LIMIT to 3 EXCELLENT, 4 unknown).
    "linkQuality": _NUMBER,
    **_RECEPTION,
}
_DEVICE_EVENT = {"device": _TEXT, "time": _NUMBER}

#: The variables of each (callbackType, callbackSubtype): its keys are the valid pairs.
VARIABLES: Mapping[tuple[int, int], Mapping[str, ValueKind]] = {
    (CallbackType.DATA, CallbackSubtype.UPLINK): _UPLINK,
    (CallbackType.DATA, CallbackSubtype.BIDIR): {
        **_UPLINK,
        "ack": _BOOLEAN,
        "longPolling": _BOOLEAN,
    },
    (CallbackType.SERVICE, CallbackSubtype.STATUS): {
        **_DEVICE_EVENT,
        "temp": _NUMBER,
        "batt": _NUMBER,
        "seqNumber": _NUMBER,
        "signal": _NUMBER,
        **_RECEPTION,
    },
    (CallbackType.SERVICE, CallbackSubtype.GEOLOC): {
        **_DEVICE_EVENT,
        "radius": _NUMBER,
        "geolocSource": _NUMBER,
        "seqNumber": _NUMBER,
        **_RECEPTION,
    },
    (CallbackType.SERVICE, CallbackSubtype.ACKNOWLEDGE): {
        **_DEVICE_EVENT,
        "infoCode": _NUMBER,
        "infoMessage": _TEXT,
        "downlinkAck": _BOOLEAN,
        "downlinkOverusage": _BOOLEAN,
        **_RECEPTION,
    },
    # The reference lists only the repeater's counters; a repeater is a device whose OOB frame
    # has a time, so {device} and {time} are offered too. Both spellings of overRegulMsg exist.
    (CallbackType.SERVICE, CallbackSubtype.REPEATER): {
        **_DEVICE_EVENT,
        "batt": _NUMBER,
        "whitelistDevices": _NUMBER,
        "repeatedMsg": _NUMBER,
        "unwantedDevices": _NUMBER,
        "unwantedMsg": _NUMBER,
        "wrongMsg": _NUMBER,
        "overRegulMsg": _NUMBER,
        "overRegulmsg": _NUMBER,
    },
    (CallbackType.SERVICE, CallbackSubtype.DATA_ADVANCED): {
        **_DEVICE_EVENT,
        "data": _TEXT,
        "seqNumber": _NUMBER,
        "lqi": _TEXT,
        "linkQuality": _NUMBER,
        "fixedLat": _NUMBER,
        "fixedLng": _NUMBER,
        "operatorName": _TEXT,
        "countryCode": _NUMBER,
        "duplicates": _JSON,
        "computedLocation": _JSON,
    },
    (CallbackType.ERROR, ERROR_SUBTYPE): {**_DEVICE_EVENT, "info": _TEXT, "severity": _TEXT},
}


def kind_name(callback_type: int, subtype: int) -> str:
    """How people name a callback kind, such as ``DATA BIDIR``; ERROR has no subtype to name."""
    if callback_type == CallbackType.ERROR:
        return CallbackType.ERROR.name
    return f"{CallbackType(callback_type).name} {CallbackSubtype(subtype).name}"


def custom_variables(codec: Codec) -> dict[str, ValueKind]:
    """The ``customData#<field>`` variables a DATA callback's payload config defines."""
    return {f"{CUSTOM_DATA}{field.name}": _kind_of(field.type) for field in codec.fields}


def _kind_of(field_type: str) -> ValueKind:
    base = field_type.split(":", 1)[0]
    if base == "bool":
        return ValueKind.BOOLEAN
    if base == "char":
        return ValueKind.TEXT
    return ValueKind.NUMBER


def answers_downlinks(channel: str, callback_type: int, subtype: int) -> bool:
    """Whether a callback can give a device's downlink answer: a DATA BIDIR callback whose
    channel carries an HTTP response back (URL or BATCH_URL; a mail has none)."""
    return (
        callback_type == CallbackType.DATA
        and subtype == CallbackSubtype.BIDIR
        and channel in (Channel.URL, Channel.BATCH_URL)
    )


def event_name(callback_type: int, subtype: int) -> str:
    """The outbox event of a callback kind, such as ``data.uplink``, or ``error``."""
    return kind_name(callback_type, subtype).lower().replace(" ", ".")
