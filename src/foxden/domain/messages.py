"""Messages: one per frame (device and sequence number), with every station that heard it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foxden.domain.devices import LinkQuality
from foxden.domain.uplinks import FrameKind


@dataclass(frozen=True, slots=True)
class Reception:
    """One base station's reception of a frame; ``time`` in Unix milliseconds."""

    station_id: str
    rssi: float | None
    snr: float | None
    time: int
    freq: int | None = None


@dataclass(frozen=True, slots=True)
class ComputedLocation:
    """An estimated position: a circle of ``radius`` metres, and where it came from."""

    lat: float
    lng: float
    radius: int
    source: int


@dataclass(frozen=True, slots=True)
class Message:
    """A frame as stored. ``time`` is Unix milliseconds; ``data`` is lower-case hex.

    ``rssi`` and ``snr`` are those of the best reception; ``forwarded`` is False for a device
    that was off contract, whose messages are kept but trigger nothing.
    """

    id: int
    device_id: str
    device_type_id: str
    time: int
    seq_number: int
    kind: FrameKind
    data: str
    ack: bool
    rssi: float | None
    snr: float | None
    link_quality: LinkQuality | None
    forwarded: bool
    receptions: tuple[Reception, ...] = ()
    decoded: dict[str, Any] | None = None
    decode_error: str | None = None
    decode_warning: str | None = None
    location: ComputedLocation | None = None
    service: dict[str, Any] | None = None
    # For a frame with ``ack``: what became of its downlink (``domain.downlink.Status``), the
    # 8 bytes sent as hex, and what went wrong.
    downlink_status: str | None = None
    downlink_data: str | None = None
    downlink_info: str | None = None
    # The station whose report created the message and was answered (None for old messages).
    first_station: str | None = None
