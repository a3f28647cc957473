"""The sequence number check (seed 002 "disengage"): a replayed frame is refused.

Sigfox sequence numbers are 12 bits and roll over from 4095 to 0. A number is *ahead* of the
last accepted one when it is 1 to 2047 steps further, modulo 4096: a frame from the past half of
the circle is a replay. A disengaged device type lets the next frame of each device pass,
whatever its number.
"""

from __future__ import annotations

from foxden.domain.device_types import DeviceType
from foxden.domain.devices import Device
from foxden.domain.errors import Conflict
from foxden.domain.uplinks import SEQUENCE_MODULO

_HALF = SEQUENCE_MODULO // 2


def is_ahead(seq_number: int, last: int) -> bool:
    """Whether ``seq_number`` comes after ``last`` on the 12-bit circle."""
    return 0 < (seq_number - last) % SEQUENCE_MODULO < _HALF


def check(device: Device, device_type: DeviceType, seq_number: int) -> int:
    """The sequence epoch to store for the device once this frame is accepted.

    Raises Conflict when the frame replays a sequence number the device has used.
    """
    if device.sequence_epoch < device_type.sequence_epoch or device.last_seq_number is None:
        return device_type.sequence_epoch
    if not is_ahead(seq_number, device.last_seq_number):
        raise Conflict(
            f"sequence number {seq_number} of device {device.id} is not ahead of"
            f" {device.last_seq_number}: refused as a replay"
        )
    return device.sequence_epoch
