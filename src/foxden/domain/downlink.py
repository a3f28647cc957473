"""A device type's direct downlink data: 8 bytes as hex digits, with seed 002's variables.

Seed 002 "Downlink data variables": the data may name variables between braces, replaced when
the downlink is answered::

    {time}   4 bytes (8 hex digits): Unix seconds, big-endian; 0 when unknown (roaming)
    {tapId}  2 bytes (4 hex digits): the id of the station that answers
    {rssi}   2 bytes (4 hex digits): the uplink's RSSI in dBm, signed big-endian; 0 when unknown

The seed spells the last one ``rsi``; both spellings are accepted. Once every variable is
replaced the data must be exactly 16 hex digits, so ``deadbeef{time}`` is a whole downlink.
"""

from __future__ import annotations

import enum
import json
import re

from foxden.domain.errors import InvalidInput

DATA_HEX_DIGITS = 16
_DATA = re.compile(f"[0-9a-fA-F]{{{DATA_HEX_DIGITS}}}")


def checked_data(data: str) -> str:
    """Downlink data as a client gives it: exactly 8 bytes as hex digits, else InvalidInput."""
    if not _DATA.fullmatch(data):
        raise InvalidInput(f"data: must be 8 bytes as {DATA_HEX_DIGITS} hex digits, not {data!r}")
    return data


# Hex digits each variable stands for.
_VARIABLES = {"time": 8, "tapId": 4, "rssi": 4, "rsi": 4}
_TOKEN = re.compile(r"[0-9a-fA-F]+|\{[^{}]*\}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_DATA = re.compile(r"[0-9a-fA-F]{16}")
_INT16 = (-(2**15), 2**15 - 1)


def validate(template: str) -> str:
    """The normalised template (trimmed, hex digits in lower case), or InvalidInput."""
    return "".join(
        token if token.startswith("{") else token.lower() for token in _parse(template.strip())
    )


def render(template: str, *, rssi: float | None, tap_id: str | None, time_s: int | None) -> bytes:
    """The 8 bytes of ``template`` with its variables replaced, or InvalidInput.

    ``tap_id`` is the answering station's hex id, of which the last 2 bytes are sent; an RSSI
    outside the 2-byte range is clamped to it. Unknown values (None) are sent as zeros.
    """
    rssi_hex = _rssi_hex(rssi)
    values = {
        "{time}": f"{(time_s or 0) % 2**32:08x}",
        "{tapId}": f"{_station(tap_id) & 0xFFFF:04x}",
        "{rssi}": rssi_hex,
        "{rsi}": rssi_hex,
    }
    digits = "".join(values.get(token, token) for token in _parse(template.strip()))
    return bytes.fromhex(digits)


def _rssi_hex(rssi: float | None) -> str:
    dbm = min(max(round(rssi or 0), _INT16[0]), _INT16[1])
    return f"{dbm & 0xFFFF:04x}"


def _station(tap_id: str | None) -> int:
    if not tap_id:
        return 0
    if not _HEX.fullmatch(tap_id):
        raise InvalidInput(f"invalid station id {tap_id!r}: expected hex digits")
    return int(tap_id, 16)


def _parse(template: str) -> list[str]:
    """The tokens of a template (hex runs and ``{variable}``s) that make exactly 16 hex digits."""
    tokens: list[str] = []
    size = 0
    position = 0
    while position < len(template):
        match = _TOKEN.match(template, position)
        if match is None:
            raise InvalidInput(
                f"unexpected {template[position]!r} at position {position}: "
                "expected hex digits or a variable such as {time}"
            )
        token = match.group()
        if token.startswith("{"):
            if token[1:-1] not in _VARIABLES:
                raise InvalidInput(
                    f"unknown variable {token} at position {position}: "
                    "expected {rssi}, {tapId} or {time}"
                )
            size += _VARIABLES[token[1:-1]]
        else:
            size += len(token)
        tokens.append(token)
        position = match.end()
    if size != DATA_HEX_DIGITS:
        raise InvalidInput(
            f"must make 8 bytes ({DATA_HEX_DIGITS} hex digits) once its variables are "
            f"replaced, not {size} hex digits"
        )
    return tokens


class Status(enum.StrEnum):
    """What became of a frame's request for a downlink (``messages.downlink_status``)."""

    SENT = "sent"  # 8 bytes went back to the station
    NO_DATA = "no_data"  # nothing to send: mode NONE, or the receiver said so
    NO_ANSWER = "no_answer"  # the downlink callback failed or was late
    INVALID = "invalid"  # the receiver answered something that is not a downlink
    NOT_CONFIGURED = "not_configured"  # callback mode without a downlink callback
    PENDING = "pending"  # the downlink callback is being asked


#: ``infoCode`` of an ACKNOWLEDGE callback (callback reference data), by what became of the
#: downlink the device last asked for.
INFO_CODES: dict[Status, tuple[int, str]] = {
    Status.SENT: (0, "Acknowledged"),
    Status.NO_DATA: (1, "No answer"),
    Status.NO_ANSWER: (1, "No answer"),
    Status.INVALID: (2, "Invalid payload"),
    Status.NOT_CONFIGURED: (8, "Invalid configuration"),
    Status.PENDING: (5, "Pending"),
}
NETWORK_ERROR = (4, "Network error")


def info_code(status: str | None, acked: bool) -> tuple[int, str]:
    """``infoCode`` and ``infoMessage`` of an ACKNOWLEDGE frame: the device says whether it got
    a downlink (``acked``); ``status`` is what became of the one it last asked for."""
    if status == Status.SENT and not acked:
        return NETWORK_ERROR
    known = Status(status) if status in set(Status) else Status.NO_ANSWER
    return INFO_CODES[known]


class InvalidAnswer(ValueError):
    """A receiver's answer that is no downlink: why, in words."""


def parse_answer(device_id: str, status: int, body: str) -> bytes | None:
    """The downlink in a BIDIR receiver's 2xx answer, None for "no downlink", or InvalidAnswer.

    The callback reference data's format: ``{"<device>": {"downlinkData": "<16 hex>"}}``, 204
    or ``{"<device>": {"noData": true}}`` for none. The device is found case-insensitively and
    with or without leading zeros; other devices' entries and other keys are ignored.
    """
    if status == 204 or not body.strip():
        return None
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):  # too deeply nested for the parser is no downlink
        raise InvalidAnswer("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise InvalidAnswer("the answer is not a JSON object")
    wanted = device_id.lstrip("0").upper()
    entry = next(
        (v for k, v in answer.items() if isinstance(k, str) and k.lstrip("0").upper() == wanted),
        None,
    )
    if not isinstance(entry, dict):
        raise InvalidAnswer(f"the answer has no entry for device {device_id}")
    if entry.get("noData") is True:
        return None
    data = entry.get("downlinkData")
    if not isinstance(data, str) or not _DATA.fullmatch(data):
        raise InvalidAnswer(f"downlinkData must be {DATA_HEX_DIGITS} hex digits, not {data!r}")
    return bytes.fromhex(data)
