"""Base station redundancy and link margins at a point (seed 002 "Coverage API", Sigfox's
global coverage predictions), from a link budget.

A station hears a device when the path loss between them stays within the uplink's maximum
coupling loss, less a margin for the walls or the ground around the device; what is left of
the budget is the link margin. The path loss is Okumura-Hata's for a suburban area, so the
budget becomes a range in km per mode. The numbers and their reasons are in
docs/decisions/0007-coverage-link-budget.md. Terrain and clutter are not modelled: this
estimates, it does not survey.
"""

from __future__ import annotations

import enum
import heapq
import math
from collections.abc import Iterable
from typing import NamedTuple

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088
#: Great-circle km per degree of latitude.
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180

FREQUENCY_MHZ = 868.0
STATION_HEIGHT_M = 30.0
DEVICE_HEIGHT_M = 1.5
DEVICE_EIRP_DBM = 14.0
STATION_SENSITIVITY_DBM = -142.0
MAX_COUPLING_LOSS_DB = DEVICE_EIRP_DBM - STATION_SENSITIVITY_DBM

#: Seed 002: "3 = 3 base stations or more".
MAX_REDUNDANCY = 3
#: The distance below which the path loss is taken as at this one: Hata is fitted from 1 km,
#: and nearer a station the model knows no better.
NEAREST_KM = 1.0


class Mode(enum.StrEnum):
    """Where the device is, from the easiest place to be heard to the hardest."""

    OUTDOOR = "OUTDOOR"
    INDOOR = "INDOOR"
    UNDERGROUND = "UNDERGROUND"


#: What each mode takes off the outdoor link budget: walls, then walls and ground.
MARGIN_DB = {Mode.OUTDOOR: 0.0, Mode.INDOOR: 20.0, Mode.UNDERGROUND: 30.0}


class Position(NamedTuple):
    """A point on the Earth, in degrees."""

    lat: float
    lng: float


def path_loss_db(distance_km: float) -> float:
    """Okumura-Hata median path loss in a suburban area, for the heights and frequency above."""
    return _LOSS_AT_1_KM_DB + _LOSS_PER_DECADE_DB * math.log10(distance_km)


def reach_km(mode: Mode) -> float:
    """How far from a station a device in ``mode`` is still heard: where the path loss uses up
    the coupling loss left after the mode's margin."""
    budget_db = MAX_COUPLING_LOSS_DB - MARGIN_DB[mode]
    return float(10 ** ((budget_db - _LOSS_AT_1_KM_DB) / _LOSS_PER_DECADE_DB))


def distance_km(a: Position, b: Position) -> float:
    """The great-circle distance (haversine) on the mean Earth sphere."""
    lat_a, lat_b = math.radians(a.lat), math.radians(b.lat)
    half_lat = (lat_b - lat_a) / 2
    half_lng = math.radians(b.lng - a.lng) / 2
    h = math.sin(half_lat) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(half_lng) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def latitude_band(point: Position, mode: Mode) -> tuple[float, float]:
    """South and north latitudes outside which no station can reach ``point``.

    The latitudes of two points differ by no more than their great-circle distance in degrees;
    the band is 1% wider so that rounding never drops a station on the edge.
    """
    degrees = 1.01 * reach_km(mode) / KM_PER_DEGREE
    return point.lat - degrees, point.lat + degrees


def margin_db(point: Position, station: Position, mode: Mode) -> float:
    """What the path loss between a device at ``point`` in ``mode`` and ``station`` leaves of
    the link budget, in dB; negative when the station does not hear the device."""
    loss = path_loss_db(max(distance_km(point, station), NEAREST_KM))
    return MAX_COUPLING_LOSS_DB - MARGIN_DB[mode] - loss


def margins(point: Position, stations: Iterable[Position], mode: Mode) -> list[float]:
    """The link margins of the (at most 3) stations that hear a device at ``point`` in
    ``mode`` best, largest first."""
    heard = (margin_db(point, station, mode) for station in stations)
    return heapq.nlargest(MAX_REDUNDANCY, (margin for margin in heard if margin >= 0))


def redundancy(point: Position, stations: Iterable[Position], mode: Mode) -> int:
    """How many of ``stations`` reach a device at ``point`` in ``mode``, at most 3."""
    return len(margins(point, stations, mode))


def _hata() -> tuple[float, float]:
    """The loss at 1 km and the loss per decade of distance, both in dB."""
    log_f = math.log10(FREQUENCY_MHZ)
    log_hb = math.log10(STATION_HEIGHT_M)
    # Device antenna height correction for a small or medium city.
    a_hm = (1.1 * log_f - 0.7) * DEVICE_HEIGHT_M - (1.56 * log_f - 0.8)
    urban = 69.55 + 26.16 * log_f - 13.82 * log_hb - a_hm
    suburban = urban - 2 * math.log10(FREQUENCY_MHZ / 28) ** 2 - 5.4
    return suburban, 44.9 - 6.55 * log_hb


_LOSS_AT_1_KM_DB, _LOSS_PER_DECADE_DB = _hata()
