from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.codec import geolocation
from foxden.domain.errors import InvalidInput, PayloadDecodeError
from foxden.domain.messages import ComputedLocation


@pytest.mark.parametrize(
    ("frame", "lat", "lng"),
    [
        ("19fd84c800dc5e10", 43.6045, 1.4442),
        ("ebd008005a20b548", -33.8688, 151.2093),
        ("19fd84c800dc5e10cafebabe", 43.6045, 1.4442),
        ("35a4e9006b49d200", 90.0, 180.0),
        ("ca5b170094b62e00", -90.0, -180.0),
    ],
)
def test_a_fix_is_two_big_endian_ints_in_ten_millionths_of_a_degree(
    frame: str, lat: float, lng: float
) -> None:
    location = geolocation.decode(bytes.fromhex(frame))
    assert location == ComputedLocation(lat=lat, lng=lng, radius=0, source=1)
    assert geolocation.encode(lat, lng).hex() == frame[:16]


@pytest.mark.parametrize("frame", ["", "19fd84c800dc5e"])
def test_a_frame_shorter_than_a_fix_is_a_decode_error(frame: str) -> None:
    with pytest.raises(PayloadDecodeError, match="starts with 8 bytes"):
        geolocation.decode(bytes.fromhex(frame))


@pytest.mark.parametrize("frame", ["35a4e90100000000", "000000006b49d201", "ffffffff80000000"])
def test_a_fix_off_the_globe_is_a_decode_error(frame: str) -> None:
    with pytest.raises(PayloadDecodeError, match="not a position"):
        geolocation.decode(bytes.fromhex(frame))


@pytest.mark.parametrize(("lat", "lng"), [(90.1, 0.0), (0.0, -180.5), (float("nan"), 0.0)])
def test_encode_refuses_a_position_off_the_globe(lat: float, lng: float) -> None:
    with pytest.raises(InvalidInput, match="not a position"):
        geolocation.encode(lat, lng)


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_encode_then_decode_keeps_the_position_to_a_ten_millionth(lat: float, lng: float) -> None:
    location = geolocation.decode(geolocation.encode(lat, lng))
    assert location.lat == round(lat * 10_000_000) / 10_000_000
    assert location.lng == round(lng * 10_000_000) / 10_000_000
    assert (location.radius, location.source) == (0, geolocation.GPS)
