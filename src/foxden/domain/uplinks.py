"""Uplinks as they arrive: one frame heard by one station, before it becomes a message.

A frame is validated here, whatever carried it (a base station post, a Sigfox Cloud callback,
the simulator): a device id, a 12-bit sequence number, 0 to 12 bytes of payload, a reception
time in the plausible window, and the reception's radio figures.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from foxden.domain import ids
from foxden.domain.clock import to_datetime
from foxden.domain.errors import InvalidInput

MAX_PAYLOAD = 12
SEQUENCE_MODULO = 4096

# The plausible window of a frame's reception time (docs/network-api.md). Stations and Sigfox
# Cloud deliver late, so any time since 2010, before any Sigfox-style network, is taken: an
# older one is an unset clock or seconds sent as milliseconds. Nothing is heard in the future,
# so a time ahead of foxden's clock is taken only by as much as a sender's clock may be off;
# this also keeps every stored time a date in every reader.
EARLIEST = 1_262_304_000_000
EARLIEST_TEXT = to_datetime(EARLIEST).strftime("%Y-%m-%dT%H:%M:%SZ")
AHEAD_MS = 3_600_000
AHEAD_TEXT = "an hour"


class TimeUnit(enum.IntEnum):
    """The unit a sender counts Unix time in, in milliseconds."""

    MILLISECONDS = 1
    SECONDS = 1000


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


def plausible(time: int, now: int) -> bool:
    """Whether ``time`` (Unix ms) is in the plausible window when foxden's clock reads ``now``."""
    return EARLIEST <= time <= now + AHEAD_MS


def reception_time(time: int, unit: TimeUnit, now: int) -> int:
    """``time``, in ``unit``, as Unix ms, if it is in the plausible window when foxden's clock
    reads ``now`` (ms); else InvalidInput naming the value as the sender gave it."""
    time_ms = time * unit
    if not plausible(time_ms, now):
        latest = now + AHEAD_MS
        raise InvalidInput(
            f"time: {time} is not a plausible reception time: a frame's time is from"
            f" {EARLIEST_TEXT} to {AHEAD_TEXT} ahead of foxden's clock, in Unix"
            f" {unit.name.lower()}: {EARLIEST // unit} to {latest // unit} now"
        )
    return time_ms


def uplink(
    *,
    device: str,
    seq_number: int,
    data: str,
    station: str,
    rssi: float | None,
    snr: float | None,
    time: int,
    now: int,
    time_unit: TimeUnit = TimeUnit.MILLISECONDS,
    ack: bool = False,
    freq: int | None = None,
    kind: FrameKind = FrameKind.DATA,
    service: dict[str, float | int | bool | str] | None = None,
) -> Uplink:
    """A validated uplink, or InvalidInput naming the first bad field; ``time`` is in
    ``time_unit``, checked against foxden's clock reading ``now`` (ms)."""
    if not 0 <= seq_number < SEQUENCE_MODULO:
        raise InvalidInput(f"seqNumber: {seq_number} is outside 0..{SEQUENCE_MODULO - 1}")
    time_ms = reception_time(time, time_unit, now)
    return Uplink(
        device_id=ids.device_id(device),
        seq_number=seq_number,
        data=payload(data),
        station_id=ids.station_id(station),
        rssi=rssi,
        snr=snr,
        time=time_ms,
        ack=ack,
        freq=freq,
        kind=kind,
        service=dict(service or {}),
    )
