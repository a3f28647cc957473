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

import re

from foxden.domain.errors import InvalidInput

DATA_HEX_DIGITS = 16

# Hex digits each variable stands for.
_VARIABLES = {"time": 8, "tapId": 4, "rssi": 4, "rsi": 4}
_TOKEN = re.compile(r"[0-9a-fA-F]+|\{[^{}]*\}")
_HEX = re.compile(r"[0-9a-fA-F]+")
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
