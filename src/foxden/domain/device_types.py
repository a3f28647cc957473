"""Device types: the product definition shared by a set of devices."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PayloadType(enum.StrEnum):
    """How an uplink's bytes are decoded (seed 002, device type ``payloadType``)."""

    NONE = "None"
    STRING = "String"
    CUSTOM = "Custom"
    GEOLOCATION = "Geolocation"


class DownlinkMode(enum.IntEnum):
    """Where a downlink answer comes from (seed 002, device type ``downlinkMode``)."""

    DIRECT = 0
    CALLBACK = 1
    NONE = 2


@dataclass(frozen=True, slots=True)
class DeviceType:
    """A product: decoding, downlink behaviour and the silence watch (``keep_alive`` minutes)."""

    id: str
    group_id: str
    name: str
    description: str
    keep_alive: int
    payload_type: PayloadType
    payload_config: str | None
    downlink_mode: DownlinkMode
    downlink_data_string: str | None
    alert_email: str | None
    contract_id: str | None
    created_at: int
    sequence_epoch: int = 0
