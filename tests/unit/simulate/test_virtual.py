from __future__ import annotations

import random

import pytest

from foxden.simulate.payloads import for_device_type
from foxden.simulate.virtual import Schedule, VirtualDevice, clock_seq, next_seq, virtual
from tests.unit.simulate.support import device, device_type

CONFIG = "volume::uint:32 battery::uint:8 leak::bool:7"


def test_sequence_numbers_roll_over_after_4095() -> None:
    assert next_seq(0) == 1
    assert next_seq(4094) == 4095
    assert next_seq(4095) == 0


def test_each_frame_takes_the_next_sequence_number() -> None:
    rng = random.Random(1)
    sensor = VirtualDevice("1D000", for_device_type(device_type(CONFIG), rng), 4094, -120.0)
    frames = [sensor.transmit(rng, 1_800_000_000_000 + n) for n in range(4)]
    assert [f.seq_number for f in frames] == [4094, 4095, 0, 1]
    assert [f.time for f in frames] == [1_800_000_000_000 + n for n in range(4)]
    assert {f.device for f in frames} == {"1D000"}
    assert all(len(f.data) == 6 and not f.ack for f in frames)
    assert sensor.seq_number == 2


@pytest.mark.parametrize(("last", "first"), [(None, 0), (17, 18), (4095, 0)])
def test_a_device_carries_on_after_its_last_sequence_number(last: int | None, first: int) -> None:
    made = virtual(device(last_seq_number=last), device_type(CONFIG), random.Random(1))
    assert made.id == "1D000"
    assert made.seq_number == first
    assert -135 <= made.rssi <= -100


def test_waits_stay_within_the_jitter() -> None:
    rng = random.Random(7)
    schedule = Schedule(10.0, jitter=0.2, silence=0)
    waits = [schedule.next(rng) for _ in range(5000)]
    assert all(8.0 <= w <= 12.0 for w in waits)
    assert min(waits) < 8.1 and max(waits) > 11.9


def test_a_silence_lasts_two_to_six_intervals() -> None:
    rng = random.Random(7)
    schedule = Schedule(10.0, jitter=0.2, silence=1)
    waits = [schedule.next(rng) for _ in range(5000)]
    assert all(16.0 <= w <= 72.0 for w in waits)
    assert min(waits) < 20 and max(waits) > 60


def test_some_waits_are_silences_by_default() -> None:
    rng = random.Random(7)
    schedule = Schedule(10.0)
    silences = sum(schedule.next(rng) > 12.0 for _ in range(5000))
    assert 0 < silences < 5000 * 0.05


def test_first_frames_are_spread_over_one_interval() -> None:
    rng = random.Random(7)
    firsts = [Schedule(10.0).first(rng) for _ in range(1000)]
    assert all(0 <= w <= 10.0 for w in firsts)
    assert min(firsts) < 1 and max(firsts) > 9


@pytest.mark.parametrize(
    "schedule",
    [
        {"interval": 0},
        {"interval": 1, "jitter": 1},
        {"interval": 1, "jitter": -0.1},
        {"interval": 1, "silence": 2},
    ],
)
def test_a_schedule_refuses_nonsense(schedule: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="not a schedule"):
        Schedule(**schedule)  # type: ignore[arg-type]


def test_the_clock_sequence_number_is_the_unix_second_modulo_4096() -> None:
    assert clock_seq(0) == 0
    assert clock_seq(4095_999) == 4095
    assert clock_seq(4096_000) == 0
    assert clock_seq(1_800_000_000_000) == 1_800_000_000 % 4096
    assert clock_seq(1_800_000_001_000) == next_seq(clock_seq(1_800_000_000_000))
