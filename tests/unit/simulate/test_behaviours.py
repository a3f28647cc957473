from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foxden.domain import codec
from foxden.domain.codec import Value
from foxden.simulate.behaviours import (
    HOME,
    Counter,
    Drain,
    Flag,
    Text,
    Walk,
    behaviour,
    name_words,
    span_of,
)

NAMES = ["temperature", "humidity", "battery", "lat", "lng", "volume", "door", "leak", "mode"]


def field(config: str) -> codec.fields.Field:
    return codec.compile(config).fields[0]


def values(config: str, frames: int = 300, seed: int = 1) -> list[Value]:
    rng = random.Random(seed)
    source = behaviour(field(config), rng)
    return [source.next(rng) for _ in range(frames)]


def numbers(config: str, frames: int = 300) -> list[float]:
    found = values(config, frames)
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in found)
    return [float(v) for v in found]


@st.composite
def configs(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES))
    kind = draw(st.sampled_from(["uint", "int", "float", "bool", "char"]))
    if kind == "bool":
        return f"{name}::bool:{draw(st.integers(0, 7))}"
    if kind == "char":
        return f"{name}::char:{draw(st.integers(1, 12))}"
    if kind == "float":
        return f"{name}::float:{draw(st.sampled_from([32, 64]))}"
    return f"{name}::{kind}:{draw(st.integers(1, 64))}"


@settings(max_examples=300, deadline=None)
@given(config=configs(), seed=st.integers(0, 2**32))
def test_every_value_fits_its_field_and_survives_the_codec(config: str, seed: int) -> None:
    compiled = codec.compile(config)
    rng = random.Random(seed)
    source = behaviour(compiled.fields[0], rng)
    for _ in range(50):
        value = source.next(rng)
        decoded = compiled.decode(compiled.encode({compiled.fields[0].name: value})).values
        [(_, back)] = decoded.items()
        if isinstance(value, float):
            assert back == pytest.approx(value, rel=1e-6)
        else:
            assert back == value


@pytest.mark.parametrize(
    ("config", "low", "high"),
    [
        ("temperature::int:16", -200, 450),  # tenths of °C
        ("temperature::int:8", -20, 45),  # whole °C
        ("temperature::float:32", -20.0, 45.0),
        ("humidity::uint:8", 10, 95),
        ("humidity::uint:16", 100, 950),
        ("temperature::uint:4", 0, 15),  # too small for the usual range: all of it
    ],
)
def test_sensors_stay_in_a_realistic_range(config: str, low: float, high: float) -> None:
    seen = numbers(config, frames=2000)
    assert all(low <= v <= high for v in seen)
    assert len(set(seen)) > 1


def test_the_name_picks_the_behaviour() -> None:
    rng = random.Random(3)
    assert isinstance(behaviour(field("temperature::int:16"), rng), Walk)
    assert isinstance(behaviour(field("battery::uint:8"), rng), Drain)
    assert isinstance(behaviour(field("volume::uint:32"), rng), Counter)
    assert isinstance(behaviour(field("doorCount::uint:16"), rng), Counter)
    assert behaviour(field("door::bool:7"), rng) == Flag(0.2)
    assert behaviour(field("leak::bool:7"), rng) == Flag(0.01)
    assert behaviour(field("x::bool:0"), rng) == Flag(0.1)
    assert behaviour(field("serial::char:4"), rng) == Text(4)
    assert isinstance(behaviour(field("relative_humidity::uint:8"), rng), Walk)


def test_name_words_split_snake_and_camel_case() -> None:
    assert name_words("batteryMv2") == ["battery", "mv"]
    assert name_words("relative_humidity") == ["relative", "humidity"]
    assert name_words("GPSLat") == ["gps", "lat"]


def test_a_battery_drains_and_is_replaced_when_flat() -> None:
    rng = random.Random(5)
    battery = Drain(span_of("uint", 8), level=3.0, full=100.0, empty=0.0, rate=0.5)
    seen = [battery.next(rng) for _ in range(40)]
    assert seen[0] in (2, 3)
    replaced = seen.index(100)
    assert seen[:replaced] == sorted(seen[:replaced], reverse=True)
    assert seen[replaced:] == sorted(seen[replaced:], reverse=True)


def test_battery_units_follow_the_field() -> None:
    assert all(0 <= v <= 100 for v in numbers("battery::uint:8"))
    assert all(2900 <= v <= 3600 for v in numbers("vbat::uint:12"))
    assert all(2.9 <= v <= 3.6 for v in numbers("battery::float:32"))
    drained = numbers("battery::uint:16", frames=100)
    assert drained[-1] < drained[0]


def test_a_counter_counts_up_and_rolls_over_like_a_meter() -> None:
    rng = random.Random(2)
    meter = Counter(span_of("uint", 8), value=250.0, most=4)
    seen = [meter.next(rng) for _ in range(10)]
    wrap = next(i for i in range(1, 10) if seen[i] < seen[i - 1])
    assert seen[:wrap] == sorted(seen[:wrap]) and seen[wrap - 1] <= 255
    assert seen[wrap] == 0
    volume = numbers("volume::uint:32", frames=200)
    assert volume == sorted(volume)


def test_coordinates_use_the_finest_decimal_unit_that_fits() -> None:
    lat = numbers("lat::int:32")
    assert all(abs(v / 1e7 - HOME[0]) < 0.5 for v in lat)
    lng = numbers("lng::int:32")
    assert all(abs(v / 1e7 - HOME[1]) < 0.5 for v in lng)
    small = numbers("lat::int:16")  # 90 degrees in hundredths fit 16 bits, in thousandths not
    assert all(abs(v / 100 - HOME[0]) < 0.5 for v in small)
    degrees = numbers("latitude::float:64")
    assert all(abs(v - HOME[0]) < 0.5 for v in degrees)


def test_flags_and_text() -> None:
    door = values("door::bool:7", frames=1000)
    assert 100 < sum(bool(v) for v in door) < 300
    serials = values("serial::char:6", frames=20)
    assert all(isinstance(v, str) and len(v) == 6 and v.isalnum() for v in serials)


def test_the_same_seed_gives_the_same_values() -> None:
    assert values("temperature::int:16", seed=9) == values("temperature::int:16", seed=9)
    assert values("temperature::int:16", seed=9) != values("temperature::int:16", seed=10)
