"""Uplink messages: one row per (device, sequence number), with every station that heard it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foxden.domain.devices import LinkQuality


@dataclass(frozen=True, slots=True)
class Reception:
    """One base station's reception of a frame."""

    station_id: str
    rssi: float
    snr: float
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
    """An uplink. ``time`` is Unix milliseconds; ``data`` is lower-case hex (0 to 12 bytes)."""

    id: int
    device_id: str
    device_type_id: str
    time: int
    seq_number: int
    data: str
    ack: bool
    receptions: tuple[Reception, ...] = ()
    link_quality: LinkQuality | None = None
    decoded: dict[str, Any] | None = None
    decode_error: str | None = None
    location: ComputedLocation | None = None
