"""Device types: the product definition shared by a set of devices."""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass
from typing import Any

from foxden.domain.errors import InvalidInput

# Seed 002 "Device type edition": a keep alive is 0 (off) or at least 1800 s, i.e. 30 minutes.
MIN_KEEP_ALIVE_MINUTES = 30
# The largest keep alive the column holds (a signed 32-bit integer).
MAX_KEEP_ALIVE_MINUTES = 2**31 - 1
MAX_NAME_LENGTH = 255
MAX_EMAIL_LENGTH = 320

# local@domain: no spaces or second @ in the local part, a dotted domain of host-name labels.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[^@\s]+@(?:{_LABEL}\.)+{_LABEL}")


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


def name(value: str) -> str:
    """A device type name: not blank, at most 255 characters; or InvalidInput."""
    if not value.strip():
        raise InvalidInput("must not be empty")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidInput(f"must be at most {MAX_NAME_LENGTH} characters")
    return value


def keep_alive(minutes: int) -> int:
    """A keep alive in minutes: 0 (no silence watch) or from 30 minutes (1800 s); or InvalidInput.

    Seed 002 gives the unit as minutes and the bound as "0 or ≥ 1800 s": both hold when the
    value is read as minutes and the bound as 30 of them.
    """
    if minutes != 0 and not MIN_KEEP_ALIVE_MINUTES <= minutes <= MAX_KEEP_ALIVE_MINUTES:
        raise InvalidInput(
            f"must be 0 or from {MIN_KEEP_ALIVE_MINUTES} to {MAX_KEEP_ALIVE_MINUTES} minutes"
        )
    return minutes


def alert_email(address: str) -> str:
    """An email address for alerts, trimmed; or InvalidInput."""
    trimmed = address.strip()
    if len(trimmed) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(trimmed):
        raise InvalidInput(f"invalid email address {address!r}")
    return trimmed


def edited(device_type: DeviceType, **changes: Any) -> DeviceType:
    """``device_type`` with ``changes`` (already valid one by one) made; InvalidInput if the
    result is inconsistent: a Custom payload type needs its payload config."""
    result = dataclasses.replace(device_type, **changes)
    if result.payload_type is PayloadType.CUSTOM and not result.payload_config:
        raise InvalidInput("payloadConfig: a Custom payload type needs a payload config")
    return result
