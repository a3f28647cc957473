from __future__ import annotations

import random

import pytest

from foxden.domain import codec
from foxden.domain.codec import geolocation
from foxden.domain.device_types import PayloadType
from foxden.domain.errors import InvalidInput, InvalidPayloadConfig
from foxden.simulate.behaviours import HOME
from foxden.simulate.demo import PRODUCTS
from foxden.simulate.payloads import for_device_type
from tests.unit.simulate.support import device_type


@pytest.mark.parametrize("config", [p.payload_config for p in PRODUCTS])
def test_demo_products_send_frames_their_config_decodes(config: str) -> None:
    rng = random.Random(1)
    payload = for_device_type(device_type(config), rng)
    compiled = codec.compile(config)
    for _ in range(100):
        data = payload.next(rng)
        assert len(data) == compiled.size
        decoded = compiled.decode(data).values
        assert compiled.encode(decoded) == data
        assert set(decoded) == {f.name for f in compiled.fields}


def test_the_cold_chain_tracker_reports_fridge_to_room_temperatures() -> None:
    config = "temperature::int:16 humidity::uint:8 door::bool:7"
    rng = random.Random(4)
    payload = for_device_type(device_type(config), rng)
    frames = [codec.compile(config).decode(payload.next(rng)).values for _ in range(200)]
    assert all(-200 <= f["temperature"] <= 450 for f in frames)
    assert all(10 <= f["humidity"] <= 95 for f in frames)
    assert {f["door"] for f in frames} == {True, False}


def test_geolocation_devices_wander_about_home() -> None:
    rng = random.Random(2)
    payload = for_device_type(device_type(None, PayloadType.GEOLOCATION), rng)
    for _ in range(50):
        fix = geolocation.decode(payload.next(rng))
        assert abs(fix.lat - HOME[0]) < 0.5 and abs(fix.lng - HOME[1]) < 0.5


@pytest.mark.parametrize("payload_type", [PayloadType.NONE, PayloadType.STRING])
def test_other_payload_types_send_a_short_ascii_word(payload_type: PayloadType) -> None:
    rng = random.Random(3)
    payload = for_device_type(device_type(None, payload_type), rng)
    words = [payload.next(rng) for _ in range(20)]
    assert all(2 <= len(w) <= 8 and w.decode("ascii").isalnum() for w in words)
    assert len({len(w) for w in words}) == 1


def test_a_config_longer_than_a_frame_cannot_be_simulated() -> None:
    with pytest.raises(InvalidInput, match="reads 13 bytes, a frame holds 12"):
        for_device_type(device_type("a::uint:64 b::uint:32 c::uint:8"), random.Random())


def test_a_broken_config_cannot_be_simulated() -> None:
    with pytest.raises(InvalidPayloadConfig):
        for_device_type(device_type("a::nope:3"), random.Random())
