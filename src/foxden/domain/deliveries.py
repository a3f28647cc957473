"""What a callback sends for one message or status event: its variables, and the request, line
or mail they fill.

A variable's value is typed (text, number, boolean, JSON) and rendered for where it lands: a URL
or a form body percent-encodes it, a JSON body escapes text inside its quotes and writes a value
the network did not measure as ``null``, a header loses control characters (a ``char`` field
may hold any byte), plain text takes it as it
is. The validator of callback definitions reads the same kinds (:data:`VARIABLES`), so what it
accepted always renders to a well-formed request.
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from foxden.domain import locating, templates
from foxden.domain.callbacks import CUSTOM_DATA, VARIABLES, ValueKind, custom_variables
from foxden.domain.codec import compile
from foxden.domain.coverage import Position
from foxden.domain.devices import LinkQuality
from foxden.domain.errors import InvalidPayloadConfig
from foxden.domain.messages import Message, Reception
from foxden.domain.status_events import StatusEvent

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
TEXT = "text/plain"
_WITH_BODY = frozenset({"POST", "PUT"})
# What a header value may not hold (RFC 9110 5.5): line breaks, NUL, the other controls.
_CONTROLS = {code: " " for code in (*range(0x20), 0x7F)}
# Seed 002: an average SNR needs at least this many of the last 25 messages.
_AVERAGE_SNR_MINIMUM = 15
# The ``linkQuality`` codes of the callback reference data.
_LINK_QUALITY_CODES = {
    LinkQuality.LIMIT: 0,
    LinkQuality.AVERAGE: 1,
    LinkQuality.GOOD: 2,
    LinkQuality.EXCELLENT: 3,
}
_LINK_QUALITY_UNKNOWN = 4
# The stored OOB values of a service frame that callbacks name otherwise: ``temp`` in °C,
# ``batt`` in V, both with at most two decimals.
_SERVICE_NAMES = {"temperature": "temp", "battery": "batt"}
# The network that received the frame, as DATA_ADVANCED's ``operatorName`` names it.
OPERATOR_NAME = "foxden"
# ``computedLocation.status`` of a location that was computed: Sigfox never published the codes.
_LOCATED = 1

Value = str | int | float | bool | list[Any] | dict[str, Any] | None


class Where(enum.Enum):
    """Where a rendered value lands, which decides its escaping."""

    URL = "url"
    HEADER = "header"
    FORM = "form"
    JSON = "json"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Heard:
    """One message as a callback reports it: the reception it names and what goes with it."""

    message: Message
    reception: Reception | None
    # The receiving station's position, if known (``lat``/``lng`` are it, rounded).
    station_position: tuple[float, float] | None = None
    duplicate: bool = False
    # The device's last (snr, rssi) pairs, for ``avgSnr``.
    link_window: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Advanced:
    """A data frame as a DATA_ADVANCED callback reports it, once every station has: the known
    positions of the stations that heard it, and the device's own (``fixedLat``/``fixedLng``)."""

    message: Message
    station_positions: Mapping[str, Position]
    fixed_position: Position | None = None


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request as it will be sent; ``body`` is None for a GET."""

    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    content_type: str | None

    def as_record(self) -> dict[str, Any]:
        """What the attempt log keeps of it (seed 002's failed-callback ``callback``)."""
        record: dict[str, Any] = {"url": self.url, "method": self.method, "headers": self.headers}
        if self.body is not None:
            record["body"] = self.body
            record["contentType"] = self.content_type
        return record


@dataclass(frozen=True, slots=True)
class Mail:
    """A mail as it will be sent."""

    recipient: str
    subject: str
    message: str

    def as_record(self) -> dict[str, Any]:
        """What the attempt log keeps of it."""
        return {"recipient": self.recipient, "subject": self.subject, "message": self.message}


def kinds(callback_type: int, subtype: int, payload_config: str | None) -> dict[str, ValueKind]:
    """The variables a callback may use and what each is."""
    offered = dict(VARIABLES.get((callback_type, subtype), {}))
    if payload_config:
        # A config that does not compile was refused at creation: it offers nothing.
        with contextlib.suppress(InvalidPayloadConfig):
            offered.update(custom_variables(compile(payload_config)))
    return offered


def variables(heard: Heard, payload_config: str | None = None) -> dict[str, Value]:
    """Every variable a callback of ``heard``'s message can use, by name."""
    message, reception = heard.message, heard.reception
    rssi = reception.rssi if reception is not None else message.rssi
    snr = reception.snr if reception is not None else message.snr
    snrs = [pair[0] for pair in heard.link_window]
    position = heard.station_position
    values: dict[str, Value] = {
        "device": message.device_id,
        "deviceTypeId": message.device_type_id,
        "time": message.time // 1000,
        "data": message.data,
        "seqNumber": message.seq_number,
        "ack": message.ack,
        "longPolling": False,
        "duplicate": heard.duplicate,
        "station": reception.station_id if reception is not None else None,
        "snr": _two_decimals(snr),
        "rssi": _two_decimals(rssi),
        "avgSnr": (
            _two_decimals(sum(snrs) / len(snrs)) if len(snrs) >= _AVERAGE_SNR_MINIMUM else None
        ),
        "lat": round(position[0]) if position is not None else None,
        "lng": round(position[1]) if position is not None else None,
        "linkQuality": _link_quality_code(message),
    }
    for name, value in _service(message.service or {}).items():
        values.setdefault(name, value)
    if payload_config:
        values.update(_custom_data(payload_config, message.data))
    return values


def advanced_variables(advanced: Advanced) -> dict[str, Value]:
    """The variables of a DATA_ADVANCED callback: every station's reception in ``duplicates``
    (``nbRep`` 1: foxden knows one reception per station), and ``computedLocation`` from the
    payload's GPS fix, else from the stations heard (:mod:`.locating`), else null."""
    message = advanced.message
    fixed = advanced.fixed_position
    return {
        "device": message.device_id,
        "time": message.time // 1000,
        "data": message.data,
        "seqNumber": message.seq_number,
        "lqi": message.link_quality.value if message.link_quality is not None else "NA",
        "linkQuality": _link_quality_code(message),
        "duplicates": [
            {
                "bsId": reception.station_id,
                "rssi": _two_decimals(reception.rssi),
                "snr": _two_decimals(reception.snr),
                "nbRep": 1,
            }
            for reception in message.receptions
        ],
        "computedLocation": _computed_location(advanced),
        "fixedLat": fixed.lat if fixed is not None else None,
        "fixedLng": fixed.lng if fixed is not None else None,
        "operatorName": OPERATOR_NAME,
        "countryCode": None,
    }


def event_variables(event: StatusEvent, device_id: str) -> dict[str, Value]:
    """The variables of an ERROR callback for a status event and one device it concerns."""
    return {
        "device": device_id,
        "time": event.time // 1000,
        "info": event.message,
        "severity": event.severity.value,
    }


def http_request(
    settings: Mapping[str, Any],
    values: Mapping[str, Value],
    kinds: Mapping[str, ValueKind],
) -> HttpRequest:
    """The request of a URL callback (``settings`` as stored: url, httpMethod, headers,
    contentType, bodyTemplate) for one message."""
    method = str(settings.get("httpMethod") or "GET").upper()
    url = render(str(settings["url"]), values, kinds, Where.URL)
    headers = {
        name: render(str(template), values, kinds, Where.HEADER)
        for name, template in (settings.get("headers") or {}).items()
    }
    if method not in _WITH_BODY:
        return HttpRequest(method, url, headers, None, None)
    content_type = str(settings.get("contentType") or FORM)
    where = {FORM: Where.FORM, JSON: Where.JSON}.get(content_type, Where.TEXT)
    body = render(str(settings.get("bodyTemplate") or ""), values, kinds, where)
    return HttpRequest(method, url, headers, body, content_type)


def batch_request(
    settings: Mapping[str, Any],
    lines: list[str],
) -> HttpRequest:
    """The one request of a BATCH_URL callback for the lines it gathered, one per message."""
    method = str(settings.get("httpMethod") or "POST").upper()
    body = "\n".join(lines)
    if method not in _WITH_BODY:
        return HttpRequest(method, str(settings["url"]), {}, None, None)
    return HttpRequest(method, str(settings["url"]), {}, body, TEXT)


def batch_line(
    settings: Mapping[str, Any], values: Mapping[str, Value], kinds: Mapping[str, ValueKind]
) -> str:
    """The line of one message in a BATCH_URL callback's request."""
    line = render(str(settings.get("linePattern") or ""), values, kinds, Where.TEXT)
    return line.replace("\r", " ").replace("\n", " ")


def mail(
    settings: Mapping[str, Any], values: Mapping[str, Value], kinds: Mapping[str, ValueKind]
) -> Mail:
    """The mail of an EMAIL callback for one message."""
    return Mail(
        recipient=render(str(settings.get("recipient") or ""), values, kinds, Where.HEADER),
        subject=render(str(settings.get("subject") or ""), values, kinds, Where.HEADER),
        message=render(str(settings.get("message") or ""), values, kinds, Where.TEXT),
    )


def render(
    template: str,
    values: Mapping[str, Value],
    kinds: Mapping[str, ValueKind],
    where: Where,
) -> str:
    """``template`` with each variable's value written as ``where`` needs it."""
    rendered = {
        name: format_value(values.get(name), kinds.get(name, ValueKind.TEXT), where)
        for name in templates.variables(template)
    }
    return templates.render(template, rendered)


def format_value(value: Value, kind: ValueKind, where: Where) -> str:
    """One value as text for ``where``."""
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    if value is None:
        return "null" if where is Where.JSON and kind is not ValueKind.TEXT else ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = json.dumps(value)
    elif isinstance(value, (list, dict)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = value
    if where is Where.JSON:
        return json.dumps(text)[1:-1] if isinstance(value, str) else text
    if where in (Where.URL, Where.FORM):
        return quote(text, safe="")
    if where is Where.HEADER:
        return text.translate(_CONTROLS)
    return text


def _two_decimals(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _link_quality_code(message: Message) -> int:
    if message.link_quality is None:
        return _LINK_QUALITY_UNKNOWN
    return _LINK_QUALITY_CODES[message.link_quality]


def _service(stored: Mapping[str, Any]) -> dict[str, Value]:
    """A service frame's OOB values by their callback names; the acknowledge and repeater
    values as stored."""
    return {
        _SERVICE_NAMES.get(name, name): _two_decimals(value) if name in _SERVICE_NAMES else value
        for name, value in stored.items()
    }


def _computed_location(advanced: Advanced) -> dict[str, Value] | None:
    location = locating.of_message(advanced.message, advanced.station_positions)
    if location is None:
        return None
    return {
        "lat": location.lat,
        "lng": location.lng,
        "radius": location.radius,
        "source": location.source,
        "status": _LOCATED,
    }


def _custom_data(payload_config: str, data: str) -> dict[str, Value]:
    """The ``customData#<field>`` values of a message, none for a field its data leaves out."""
    try:
        codec = compile(payload_config)
    except InvalidPayloadConfig:
        return {}
    fields = codec.decode(bytes.fromhex(data)).values
    return {f"{CUSTOM_DATA}{field.name}": fields.get(field.name) for field in codec.fields}
