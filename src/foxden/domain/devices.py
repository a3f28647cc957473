"""Devices: one row with two views, the Sigfox device and the Soracom Sigfox device."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass

from foxden.domain.errors import InvalidInput


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


def registered(device: Device, registration_secret: str | None) -> SoracomStatus:
    """The status a device in stock takes when registered with its PAC: ``ready``.

    A missing or wrong PAC is InvalidInput (seed 000: 400), as is a device that is not in
    stock: registered already, or terminated.
    """
    if not registration_secret:
        raise InvalidInput("registrationSecret (the device's PAC) is required.")
    if registration_secret.strip().upper() != device.pac:
        raise InvalidInput("registrationSecret does not match the device's PAC.")
    if device.soracom_status is not SoracomStatus.INSTOCK:
        raise InvalidInput(f"Device {device.id} is {device.soracom_status.value}, not instock.")
    return SoracomStatus.READY


def check_terminable(device: Device) -> None:
    """Refuse to terminate a device under termination protection, as Soracom does: termination
    must first be enabled (``enable_termination``)."""
    if not device.termination_enabled:
        raise InvalidInput(
            f"Device {device.id} is protected from termination; enable termination first."
        )


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
    termination_enabled: bool = False
    # When its last frame written to Harvest Data was sent (Unix ms).
    harvested_at: int | None = None
    # While the device is taken as lost (its keepAlive breached): the time of its last message.
    silent_since: int | None = None


# Seed 002's ``snr`` filter classes as half-open intervals [low, high) of ``averageSnr`` in dB:
# a boundary value belongs to the class it starts (exactly 10 dB is class 2, exactly 20 dB
# class 4). A device without an average, or with a negative one, is in no class.
SNR_CLASSES: Mapping[int, tuple[float, float | None]] = {
    1: (0.0, 10.0),
    2: (10.0, 13.0),
    3: (13.0, 20.0),
    4: (20.0, None),
}


class TokenStateCode(enum.IntEnum):
    """Seed 002 token state ``code``."""

    OK = 0
    KO = 1
    NOT_APPLICABLE = 2


@dataclass(frozen=True, slots=True)
class TokenState:
    """A token state ``code`` and its ``detailMessage``."""

    code: TokenStateCode
    detail: str


def token_state(device: Device, now: int) -> TokenState:
    """The state of a device's token at ``now`` (Unix ms), the first rule that applies winning:

    1. no token: N/A, "Not communicated";
    2. the device is off contract (its last frame was refused), or its free token has no
       message left (its next frame will be): KO, "Off contract";
    3. a contract token whose end has passed: KO, "Invalid token";
    4. otherwise OK, "Ok".

    The recorded state comes before the end time, so a device refused for an expired token
    reads "Off contract", as in the seed's example.
    """
    token = device.token
    if token is None:
        return TokenState(TokenStateCode.NOT_APPLICABLE, "Not communicated")
    exhausted = token.type is TokenType.FREE and (token.free_messages or 0) <= 0
    if device.state is DeviceState.OFF_CONTRACT or exhausted:
        return TokenState(TokenStateCode.KO, "Off contract")
    if token.type is TokenType.CONTRACT and token.end is not None and token.end < now:
        return TokenState(TokenStateCode.KO, "Invalid token")
    return TokenState(TokenStateCode.OK, "Ok")


def network_ok(device: Device) -> bool:
    """Whether the network works for the device: not while it is in network warning (state 4).

    Seed 002 derives this from the health of the stations that heard the device's last
    messages. Station health is the business of the silence monitor, which records it on those
    devices as state 4; reading the state keeps one answer for both fields.
    """
    return device.state is not DeviceState.NETWORK_WARNING


_EPOCH = datetime.date(1970, 1, 1)


def days_of_year(year: int) -> range:
    """The UTC days (days since the Unix epoch) of a year, 1 January first: 365 or 366."""
    first = datetime.date(year, 1, 1) - _EPOCH
    last = datetime.date(year, 12, 31) - _EPOCH
    return range(first.days, last.days + 1)
