"""A virtual device: which frame it sends next and when, without any I/O.

Real devices wake on a timer that drifts, so frames come at the interval give or take a jitter,
and now and then a device goes quiet for a few intervals (no coverage, a busy radio): that is
what keep-alive watches and silence rules are for, so the simulator does it too. Each frame
takes the next 12-bit sequence number; a device already known to the database carries on from
its last one, so restarting the simulator is never taken for a replay.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from foxden.domain.device_types import DeviceType
from foxden.domain.devices import Device
from foxden.domain.uplinks import SEQUENCE_MODULO
from foxden.simulate.payloads import Payload, for_device_type


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame as the device sent it; ``time`` is Unix milliseconds."""

    device: str
    seq_number: int
    data: bytes
    time: int
    ack: bool = False


@dataclass(slots=True)
class VirtualDevice:
    """A device of the fleet: its payload source, its next sequence number, its usual RSSI."""

    id: str
    payload: Payload
    seq_number: int
    rssi: float

    def transmit(self, rng: random.Random, now: int) -> Frame:
        """The next frame, sent at ``now`` (Unix ms); the sequence number moves on."""
        frame = Frame(self.id, self.seq_number, self.payload.next(rng), now)
        self.seq_number = next_seq(self.seq_number)
        return frame


@dataclass(frozen=True, slots=True)
class Schedule:
    """When devices send: every ``interval`` seconds, give or take ``jitter`` (a fraction).

    A wait is ``interval × uniform(1 - jitter, 1 + jitter)``; with probability ``silence`` it is
    stretched to 2 to ``longest_silence`` such waits, a device going quiet for a while.
    """

    interval: float
    jitter: float = 0.2
    silence: float = 0.02
    longest_silence: int = 6

    def __post_init__(self) -> None:
        if self.interval <= 0 or not 0 <= self.jitter < 1 or not 0 <= self.silence <= 1:
            raise ValueError(f"not a schedule: {self}")

    def first(self, rng: random.Random) -> float:
        """The wait before a device's first frame: spread over one interval, so a fleet started
        at once does not send at once."""
        return rng.uniform(0, self.interval)

    def next(self, rng: random.Random) -> float:
        """The wait, in seconds, from one frame of a device to its next."""
        wait = self.interval * rng.uniform(1 - self.jitter, 1 + self.jitter)
        if rng.random() < self.silence:
            wait *= rng.randint(2, self.longest_silence)
        return wait


def next_seq(seq_number: int) -> int:
    """The sequence number after ``seq_number``: 4095 is followed by 0."""
    return (seq_number + 1) % SEQUENCE_MODULO


def clock_seq(now: int) -> int:
    """A sequence number read off the clock (Unix ms): the Unix second modulo 4096.

    It moves on by one a second, so frames sent a second to 34 minutes apart are each ahead of
    the one before on the 12-bit circle.
    """
    return (now // 1000) % SEQUENCE_MODULO


def virtual(device: Device, device_type: DeviceType, rng: random.Random) -> VirtualDevice:
    """``device`` made virtual, carrying on after its last sequence number (0 if never heard).

    Raises what :func:`~foxden.simulate.payloads.for_device_type` raises.
    """
    last = device.last_seq_number
    return VirtualDevice(
        id=device.id,
        payload=for_device_type(device_type, rng),
        seq_number=0 if last is None else next_seq(last),
        rssi=rng.uniform(-135, -100),
    )
