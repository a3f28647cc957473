from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.coverage import (
    KM_PER_DEGREE,
    MAX_COUPLING_LOSS_DB,
    Mode,
    Position,
    distance_km,
    latitude_band,
    margin_db,
    margins,
    path_loss_db,
    reach_km,
    redundancy,
)

HARSHER = [Mode.OUTDOOR, Mode.INDOOR, Mode.UNDERGROUND]
TOULOUSE = Position(43.6045, 1.4440)


def north_of(point: Position, km: float) -> Position:
    """The point ``km`` due north of ``point``: along a meridian, degrees are proportional to km."""
    return Position(point.lat + km / KM_PER_DEGREE, point.lng)


def east_on_equator(lng: float, km: float) -> Position:
    return Position(0.0, lng + km / KM_PER_DEGREE)


def test_the_link_budget_is_the_documented_one() -> None:
    assert MAX_COUPLING_LOSS_DB == 156.0
    assert round(path_loss_db(1.0), 1) == 116.1
    assert round(path_loss_db(10.0) - path_loss_db(1.0), 1) == 35.2


@pytest.mark.parametrize(
    ("mode", "km"), [(Mode.OUTDOOR, 13.5), (Mode.INDOOR, 3.7), (Mode.UNDERGROUND, 1.9)]
)
def test_ranges_are_those_of_the_decision_record(mode: Mode, km: float) -> None:
    assert round(reach_km(mode), 1) == km


@pytest.mark.parametrize("mode", list(Mode))
def test_the_range_is_where_the_path_loss_meets_the_budget(mode: Mode) -> None:
    budget = {Mode.OUTDOOR: 156.0, Mode.INDOOR: 136.0, Mode.UNDERGROUND: 126.0}[mode]
    assert path_loss_db(reach_km(mode)) == pytest.approx(budget)


@pytest.mark.parametrize("mode", list(Mode))
def test_a_station_just_inside_the_range_counts(mode: Mode) -> None:
    inside = 0.999 * reach_km(mode)
    assert redundancy(TOULOUSE, [north_of(TOULOUSE, inside)], mode) == 1
    assert redundancy(Position(0, 10), [east_on_equator(10, inside)], mode) == 1


@pytest.mark.parametrize("mode", list(Mode))
def test_a_station_just_outside_the_range_does_not(mode: Mode) -> None:
    outside = 1.001 * reach_km(mode)
    assert redundancy(TOULOUSE, [north_of(TOULOUSE, outside)], mode) == 0
    assert redundancy(Position(0, 10), [east_on_equator(10, outside)], mode) == 0


def test_each_mode_counts_the_stations_within_its_own_range() -> None:
    stations = [north_of(TOULOUSE, km) for km in (1.0, 3.0, 10.0, 12.0, 20.0)]
    assert redundancy(TOULOUSE, stations, Mode.UNDERGROUND) == 1
    assert redundancy(TOULOUSE, stations, Mode.INDOOR) == 2
    assert redundancy(TOULOUSE, stations, Mode.OUTDOOR) == 3  # four in range, capped


def test_no_station_is_no_redundancy() -> None:
    assert redundancy(TOULOUSE, [], Mode.OUTDOOR) == 0


def test_distances_wrap_around_the_antimeridian_and_the_poles() -> None:
    assert distance_km(Position(0, 179.995), Position(0, -179.995)) == pytest.approx(1.112, 1e-3)
    assert redundancy(Position(0, 179.995), [Position(0, -179.995)], Mode.UNDERGROUND) == 1
    across_the_pole = distance_km(Position(89.999, 0), Position(89.999, 180))
    assert across_the_pole == pytest.approx(0.2224, 1e-3)


def test_a_quarter_meridian_is_a_quarter_of_the_mean_circumference() -> None:
    assert distance_km(Position(0, 0), Position(90, 0)) == pytest.approx(10007.557, 1e-6)


latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)
points = st.builds(Position, latitudes, longitudes)
# Offsets of up to about 35 km, so that stations fall on both sides of every range.
offsets = st.floats(min_value=-0.32, max_value=0.32)


@st.composite
def near(draw: st.DrawFn, point: Position) -> Position:
    lat = min(90.0, max(-90.0, point.lat + draw(offsets)))
    lng = (point.lng + draw(offsets) + 180.0) % 360.0 - 180.0
    return Position(lat, lng)


@st.composite
def scenes(draw: st.DrawFn) -> tuple[Position, list[Position]]:
    point = draw(points)
    return point, draw(st.lists(near(point), max_size=8))


modes = st.sampled_from(list(Mode))


@given(scenes())
def test_a_harsher_mode_never_hears_more_stations(scene: tuple[Position, list[Position]]) -> None:
    point, stations = scene
    counts = [redundancy(point, stations, mode) for mode in HARSHER]
    assert counts == sorted(counts, reverse=True)


@given(scenes(), st.data(), modes)
def test_moving_a_station_farther_never_adds_redundancy(
    scene: tuple[Position, list[Position]], data: st.DataObject, mode: Mode
) -> None:
    point, stations = scene
    one, other = data.draw(near(point)), data.draw(near(point))
    nearer, farther = sorted((one, other), key=lambda station: distance_km(point, station))
    assert redundancy(point, [*stations, farther], mode) <= redundancy(
        point, [*stations, nearer], mode
    )


@given(scenes(), modes)
def test_redundancy_is_between_0_and_3_and_adding_a_station_never_lowers_it(
    scene: tuple[Position, list[Position]], mode: Mode
) -> None:
    point, stations = scene
    counts = [redundancy(point, stations[:n], mode) for n in range(len(stations) + 1)]
    assert all(0 <= count <= 3 for count in counts)
    assert counts == sorted(counts)


@given(points, st.integers(min_value=0, max_value=10), modes)
def test_stations_at_the_point_count_up_to_3(point: Position, how_many: int, mode: Mode) -> None:
    assert redundancy(point, [point] * how_many, mode) == min(3, how_many)


@given(scenes(), modes)
def test_the_latitude_band_keeps_every_station_that_counts(
    scene: tuple[Position, list[Position]], mode: Mode
) -> None:
    point, stations = scene
    south, north = latitude_band(point, mode)
    kept = [station for station in stations if south <= station.lat <= north]
    assert redundancy(point, kept, mode) == redundancy(point, stations, mode)


@given(points, points)
def test_distance_is_symmetric_and_at_least_the_latitude_difference(
    a: Position, b: Position
) -> None:
    assert distance_km(a, b) == pytest.approx(distance_km(b, a), abs=1e-9)
    # Down to rounding (a nanometre), which the band's 1% slack covers many times over.
    assert distance_km(a, b) >= abs(a.lat - b.lat) * KM_PER_DEGREE - 1e-12 * (1 + distance_km(a, b))
    assert 0 <= distance_km(a, b) <= math.pi * 6371.0088 * (1 + 1e-12)


@pytest.mark.parametrize(
    ("mode", "at_1_km"), [(Mode.OUTDOOR, 39.9), (Mode.INDOOR, 19.9), (Mode.UNDERGROUND, 9.9)]
)
def test_the_margin_at_1_km_is_the_budget_less_the_loss_there(mode: Mode, at_1_km: float) -> None:
    assert round(margin_db(TOULOUSE, north_of(TOULOUSE, 1.0), mode), 1) == at_1_km


@pytest.mark.parametrize("km", [0.0, 0.2, 0.999])
def test_nearer_than_1_km_the_margin_is_that_at_1_km(km: float) -> None:
    at_1_km = margin_db(TOULOUSE, north_of(TOULOUSE, 1.0), Mode.OUTDOOR)
    assert margin_db(TOULOUSE, north_of(TOULOUSE, km), Mode.OUTDOOR) == pytest.approx(at_1_km)


@pytest.mark.parametrize("mode", list(Mode))
def test_the_margin_is_spent_at_the_range(mode: Mode) -> None:
    assert margin_db(TOULOUSE, north_of(TOULOUSE, reach_km(mode)), mode) == pytest.approx(
        0.0, abs=1e-9
    )


def test_margins_are_the_three_largest_of_the_stations_heard() -> None:
    stations = [north_of(TOULOUSE, km) for km in (14.0, 0.5, 10.0, 2.0, 5.0)]
    assert [round(m, 1) for m in margins(TOULOUSE, stations, Mode.OUTDOOR)] == [39.9, 29.3, 15.2]
    assert [round(m, 1) for m in margins(TOULOUSE, stations, Mode.INDOOR)] == [19.9, 9.3]
    assert margins(TOULOUSE, [north_of(TOULOUSE, 14.0)], Mode.OUTDOOR) == []


@given(scenes(), modes)
def test_margins_are_as_many_as_the_redundancy_largest_first_and_never_negative(
    scene: tuple[Position, list[Position]], mode: Mode
) -> None:
    point, stations = scene
    found = margins(point, stations, mode)
    assert len(found) == redundancy(point, stations, mode)
    assert found == sorted(found, reverse=True)
    assert all(margin >= 0 for margin in found)


@given(scenes())
def test_a_harsher_mode_takes_its_extra_loss_off_every_margin(
    scene: tuple[Position, list[Position]],
) -> None:
    point, stations = scene
    outdoor = [margin_db(point, station, Mode.OUTDOOR) for station in stations]
    for mode in (Mode.INDOOR, Mode.UNDERGROUND):
        extra = {Mode.INDOOR: 20.0, Mode.UNDERGROUND: 30.0}[mode]
        expected = sorted((m - extra for m in outdoor if m - extra >= 0), reverse=True)[:3]
        assert margins(point, stations, mode) == pytest.approx(expected)


@given(points, st.data(), modes)
def test_a_farther_station_never_has_a_larger_margin(
    point: Position, data: st.DataObject, mode: Mode
) -> None:
    one, other = data.draw(near(point)), data.draw(near(point))
    nearer, farther = sorted((one, other), key=lambda station: distance_km(point, station))
    assert margin_db(point, farther, mode) <= margin_db(point, nearer, mode)
