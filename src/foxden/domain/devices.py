"""Devices: one row with two views, the Sigfox device and the Soracom Sigfox device."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class DeviceState(enum.IntEnum):
    """Seed 002 device ``state``."""

    OK = 0
    COMMUNICATION_TIMEOUT = 1
    OFF_CONTRACT = 2
    DISABLED = 3
    NETWORK_WARNING = 4


class TokenType(enum.StrEnum):
    """Seed 002 ``tokenType``: a paid contract token or a free test token."""

    CONTRACT = "CONTRACT"
    FREE = "FREE"


class SoracomStatus(enum.StrEnum):
    """Seed 000 Sigfox device ``status`` lifecycle: instock → ready → active → terminated."""

    INSTOCK = "instock"
    READY = "ready"
    ACTIVE = "active"
    TERMINATED = "terminated"


class LinkQuality(enum.StrEnum):
    """Seed 002 ``linkQuality``."""

    LIMIT = "LIMIT"
    AVERAGE = "AVERAGE"
    GOOD = "GOOD"
    EXCELLENT = "EXCELLENT"


@dataclass(frozen=True, slots=True)
class Token:
    """A device's network token. Times are Unix milliseconds."""

    type: TokenType
    contract_id: str | None
    activation_time: int
    end: int | None = None
    free_messages: int | None = None
    prevent_renewal: bool = False


@dataclass(frozen=True, slots=True)
class Device:
    """A radio device. Times are Unix milliseconds; ``last_seen_at`` None means never heard.

    ``link_window`` holds the best (snr, rssi) of each of the last 25 messages, newest last;
    ``sequence_epoch`` trails its device type's until a disengage lets a sequence number pass.
    """

    id: str
    device_type_id: str
    name: str
    pac: str
    created_at: int
    modified_at: int
    state: DeviceState = DeviceState.OK
    lat: float | None = None
    lng: float | None = None
    token: Token | None = None
    last_seen_at: int | None = None
    last_seq_number: int | None = None
    sequence_epoch: int = 0
    last_message_id: int | None = None
    last_rssi: float | None = None
    last_snr: float | None = None
    link_window: tuple[tuple[float, float], ...] = ()
    average_snr: float | None = None
    average_rssi: float | None = None
    link_quality: LinkQuality | None = None
    soracom_status: SoracomStatus = SoracomStatus.READY
    soracom_group_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    termination_enabled: bool = False
