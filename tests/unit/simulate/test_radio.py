from __future__ import annotations

import random
from collections import Counter

import pytest

from foxden.simulate.radio import BAND, LATEST_MS, choose, receive


def test_one_to_three_distinct_stations_hear_a_frame() -> None:
    rng = random.Random(1)
    chosen = [choose(rng, 3) for _ in range(2000)]
    assert all(len(set(c)) == len(c) and set(c) <= {0, 1, 2} for c in chosen)
    sizes = Counter(len(c) for c in chosen)
    assert set(sizes) == {1, 2, 3}
    assert sizes[2] > sizes[1] and sizes[2] > sizes[3]
    assert Counter(c[0] for c in chosen).keys() == {0, 1, 2}


@pytest.mark.parametrize(("stations", "most"), [(1, 1), (2, 2), (10, 3)])
def test_never_more_stations_than_there_are(stations: int, most: int) -> None:
    rng = random.Random(2)
    chosen = [choose(rng, stations) for _ in range(500)]
    assert all(1 <= len(c) <= most and max(c) < stations for c in chosen)
    assert max(len(c) for c in chosen) == most


def test_receptions_come_in_station_order_within_the_window() -> None:
    rng = random.Random(3)
    sent = 1_800_000_000_000
    for _ in range(500):
        heard = receive(rng, sent, -120.0, [2, 0, 1])
        assert [r.station for r in heard] == [2, 0, 1]
        times = [r.time for r in heard]
        assert times == sorted(times)
        assert all(sent <= t <= sent + LATEST_MS for t in times)
        assert len({r.freq for r in heard}) == 1 and BAND[0] <= heard[0].freq <= BAND[1]
        assert all(-150 <= r.rssi <= -60 and 0 <= r.snr <= 40 for r in heard)


def test_each_station_hears_the_frame_a_little_differently() -> None:
    rng = random.Random(4)
    heard = [receive(rng, 0, -120.0, [0, 1, 2]) for _ in range(100)]
    assert all(len({r.rssi for r in frame}) > 1 for frame in heard)
    assert all(len({r.snr for r in frame}) > 1 for frame in heard)


def test_the_snr_follows_the_rssi() -> None:
    rng = random.Random(5)
    weak = [r.snr for _ in range(200) for r in receive(rng, 0, -135.0, [0])]
    strong = [r.snr for _ in range(200) for r in receive(rng, 0, -110.0, [0])]
    assert sum(weak) / len(weak) + 15 < sum(strong) / len(strong)
