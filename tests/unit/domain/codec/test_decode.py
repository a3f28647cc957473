from __future__ import annotations

import pytest

from foxden.domain.codec import Decoded, decode
from foxden.domain.device_types import PayloadType
from foxden.domain.errors import InvalidPayloadConfig, PayloadDecodeError
from foxden.domain.messages import ComputedLocation


def test_none_decodes_to_nothing() -> None:
    assert decode(PayloadType.NONE, "a::uint:8", b"\x01") == Decoded({}, None)


def test_string_is_the_frame_as_escaped_ascii() -> None:
    assert decode(PayloadType.STRING, None, b"OK\x00\xff") == Decoded(
        {"text": "OK\\x00\\xff"}, None
    )
    assert decode(PayloadType.STRING, None, b"") == Decoded({"text": ""}, None)


def test_custom_decodes_with_the_config() -> None:
    decoded = decode(PayloadType.CUSTOM, "temp::int:16 rh::uint:8", bytes.fromhex("ff3832"))
    assert decoded == Decoded({"temp": -200, "rh": 50}, None)


@pytest.mark.parametrize("config", [None, ""])
def test_custom_without_a_config_is_a_config_error(config: str | None) -> None:
    with pytest.raises(InvalidPayloadConfig, match=r"at position 0: .* needs a payload config"):
        decode(PayloadType.CUSTOM, config, b"\x01")


def test_custom_with_a_short_frame_gives_what_it_holds_and_a_warning() -> None:
    assert decode(PayloadType.CUSTOM, "a::uint:16 b::bool:7", b"\x01") == Decoded(
        {"a": 1},
        None,
        "the frame has 1 of the 3 bytes the payload config reads: 'a' keeps 8 of its 16 bits; "
        "'b' is left out, it starts past the end",
    )


def test_geolocation_gives_fields_and_a_gps_location() -> None:
    decoded = decode(PayloadType.GEOLOCATION, None, bytes.fromhex("19fd84c800dc5e1064"))
    assert decoded.fields == {"lat": 43.6045, "lng": 1.4442}
    assert decoded.location == ComputedLocation(lat=43.6045, lng=1.4442, radius=0, source=1)


def test_geolocation_with_a_short_frame_is_a_decode_error() -> None:
    with pytest.raises(PayloadDecodeError):
        decode(PayloadType.GEOLOCATION, None, b"\x01\x02")
