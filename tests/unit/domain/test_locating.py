from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.codec.geolocation import GPS
from foxden.domain.coverage import Position, distance_km, path_loss_db
from foxden.domain.devices import LinkQuality
from foxden.domain.locating import RADIUS_FLOOR_M, RSSI, locate, of_message
from foxden.domain.messages import ComputedLocation, Message, Reception
from foxden.domain.uplinks import FrameKind

# Float sums may land a ulp past the stations' extremes; a nanodegree is 0.1 mm.
SLACK_DEGREES = 1e-9

rssis = st.one_of(st.none(), st.floats(min_value=-160, max_value=-40))


@st.composite
def clusters(draw: st.DrawFn) -> list[tuple[Position, float | None]]:
    """The stations that heard one frame: within a couple of degrees of each other, off the
    antimeridian and the poles, each with an RSSI or none."""
    lat = draw(st.floats(min_value=-80, max_value=80))
    lng = draw(st.floats(min_value=-170, max_value=170))
    offsets = st.floats(min_value=-2, max_value=2)
    return [
        (Position(lat + draw(offsets), lng + draw(offsets)), draw(rssis))
        for _ in range(draw(st.integers(1, 8)))
    ]


@given(clusters())
def test_the_centre_lies_within_the_stations_bounding_box(
    heard: list[tuple[Position, float | None]],
) -> None:
    found = locate(heard)
    assert found is not None
    lats = [position.lat for position, _ in heard]
    lngs = [position.lng for position, _ in heard]
    assert min(lats) - SLACK_DEGREES <= found.lat <= max(lats) + SLACK_DEGREES
    assert min(lngs) - SLACK_DEGREES <= found.lng <= max(lngs) + SLACK_DEGREES
    assert found.source == RSSI


@given(clusters())
def test_the_circle_holds_every_station_and_is_never_below_the_floor(
    heard: list[tuple[Position, float | None]],
) -> None:
    found = locate(heard)
    assert found is not None
    assert found.radius >= RADIUS_FLOOR_M
    centre = Position(found.lat, found.lng)
    for position, _ in heard:
        assert distance_km(centre, position) * 1000 <= found.radius


@given(
    st.floats(min_value=-90, max_value=90),
    st.floats(min_value=-180, max_value=180, exclude_max=True),
    rssis,
)
def test_one_station_places_the_frame_at_that_station(
    lat: float, lng: float, rssi: float | None
) -> None:
    found = locate([(Position(lat, lng), rssi)])
    assert found is not None
    assert (found.lat, found.lng, found.radius) == (lat, lng, RADIUS_FLOOR_M)


def test_no_station_no_location() -> None:
    assert locate([]) is None


def test_a_station_one_decade_of_path_loss_weaker_weighs_a_tenth() -> None:
    decade = path_loss_db(10.0) - path_loss_db(1.0)
    found = locate([(Position(45.0, 1.0), -90.0), (Position(46.1, 2.1), -90.0 - decade)])
    assert found is not None
    assert found.lat == pytest.approx(45.0 + 1.1 / 11)
    assert found.lng == pytest.approx(1.0 + 1.1 / 11)


def test_equal_signals_meet_halfway_and_a_missing_rssi_weighs_as_the_weakest() -> None:
    found = locate([(Position(45.0, 1.0), -120.0), (Position(45.2, 1.4), None)])
    assert found is not None
    assert (found.lat, found.lng) == pytest.approx((45.1, 1.2))


def test_a_cluster_across_the_antimeridian_stays_there() -> None:
    found = locate([(Position(-17.0, 179.9), -100.0), (Position(-17.0, -179.9), -100.0)])
    assert found is not None
    assert abs(found.lng) == pytest.approx(180.0)
    # 21 km apart: the circle reaches both, 10.6 km from its centre.
    assert 10_500 < found.radius < 10_700


def heard_by(*receptions: Reception, location: ComputedLocation | None = None) -> Message:
    return Message(
        id=1,
        device_id="C0FE",
        device_type_id="0" * 24,
        time=0,
        seq_number=1,
        kind=FrameKind.DATA,
        data="",
        ack=False,
        rssi=None,
        snr=None,
        link_quality=LinkQuality.GOOD,
        forwarded=True,
        receptions=receptions,
        location=location,
    )


KNOWN = {"0A01": Position(45.0, 1.0), "0A02": Position(45.2, 1.4)}


def test_a_message_is_placed_by_the_stations_whose_position_is_known() -> None:
    message = heard_by(
        Reception("0A01", -120.0, 10.0, 0),
        Reception("0A02", -120.0, 8.0, 0),
        Reception("FFFF", -60.0, 20.0, 0),
    )
    found = of_message(message, KNOWN)
    assert found is not None
    assert (found.lat, found.lng) == pytest.approx((45.1, 1.2))
    assert found.source == RSSI


def test_a_gps_fix_wins_over_the_stations() -> None:
    fix = ComputedLocation(44.0, 2.0, 0, GPS)
    assert of_message(heard_by(Reception("0A01", -120.0, 10.0, 0), location=fix), KNOWN) == fix


def test_a_message_heard_by_no_known_station_has_no_location() -> None:
    assert of_message(heard_by(Reception("FFFF", -60.0, 20.0, 0)), KNOWN) is None
    assert of_message(heard_by(), KNOWN) is None
