"""Uplinks as they arrive: one frame heard by one station, before it becomes a message.

A frame is validated here, whatever carried it (a base station post, a Sigfox Cloud callback,
the simulator): a device id, a 12-bit sequence number, 0 to 12 bytes of payload, and the
reception's radio figures.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from foxden.domain import ids
from foxden.domain.errors import InvalidInput

MAX_PAYLOAD = 12
SEQUENCE_MODULO = 4096


class FrameKind(enum.StrEnum):
    """What a frame carries: user data, or an out-of-band service frame."""

    DATA = "data"
    STATUS = "status"
    ACKNOWLEDGE = "acknowledge"
    REPEATER = "repeater"


@dataclass(frozen=True, slots=True)
class Uplink:
    """One reception of one frame. ``time`` is Unix milliseconds; ``data`` is raw bytes.

    ``rssi`` and ``snr`` are None when the sender had no network metadata (a Sigfox Cloud
    callback without that contract option).
    """

    device_id: str
    seq_number: int
    data: bytes
    station_id: str
    rssi: float | None
    snr: float | None
    time: int
    ack: bool = False
    freq: int | None = None
    kind: FrameKind = FrameKind.DATA
    service: dict[str, float | int | bool | str] = field(default_factory=dict)


def payload(hex_data: str) -> bytes:
    """The bytes of a hex payload: an even number of hex digits, at most 12 bytes."""
    text = hex_data.strip()
    if len(text) % 2:
        raise InvalidInput(f"data: {hex_data!r} has an odd number of hex digits")
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise InvalidInput(f"data: {hex_data!r} is not hex") from None
    if len(raw) > MAX_PAYLOAD:
        raise InvalidInput(f"data: {len(raw)} bytes, more than the {MAX_PAYLOAD} of a frame")
    return raw


def uplink(
    *,
    device: str,
    seq_number: int,
    data: str,
    station: str,
    rssi: float | None,
    snr: float | None,
    time: int,
    ack: bool = False,
    freq: int | None = None,
    kind: FrameKind = FrameKind.DATA,
    service: dict[str, float | int | bool | str] | None = None,
) -> Uplink:
    """A validated uplink, or InvalidInput naming the first bad field."""
    if not 0 <= seq_number < SEQUENCE_MODULO:
        raise InvalidInput(f"seqNumber: {seq_number} is outside 0..{SEQUENCE_MODULO - 1}")
    if time < 0:
        raise InvalidInput(f"time: {time} is before 1970")
    return Uplink(
        device_id=ids.device_id(device),
        seq_number=seq_number,
        data=payload(data),
        station_id=ids.station_id(station),
        rssi=rssi,
        snr=snr,
        time=time,
        ack=ack,
        freq=freq,
        kind=kind,
        service=dict(service or {}),
    )
