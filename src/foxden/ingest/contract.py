"""Token state at ingest: a device takes its token with its first frame, and a device off
contract has its messages kept but not forwarded (seed 002 device ``state`` 2)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from foxden.domain.clock import DAY_MS
from foxden.domain.devices import Device, DeviceState, Token, TokenType


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether the frame is forwarded, and the token and state the device has after it."""

    forwarded: bool
    token: Token
    state: DeviceState


def admit(device: Device, now: int, token_days: int) -> Admission:
    """Take, spend or refuse the device's token for a frame received at ``now`` (ms)."""
    token = device.token
    if token is None:
        token = Token(TokenType.CONTRACT, None, now, end=now + token_days * DAY_MS)
    if token.type is TokenType.FREE:
        left = token.free_messages or 0
        if left <= 0:
            return Admission(False, token, DeviceState.OFF_CONTRACT)
        return Admission(True, replace(token, free_messages=left - 1), DeviceState.OK)
    if token.end is not None and token.end < now:
        return Admission(False, token, DeviceState.OFF_CONTRACT)
    return Admission(True, token, DeviceState.OK)
