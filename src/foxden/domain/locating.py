"""Where a frame came from, estimated from the stations that heard it (``computedLocation``
source 0, "RSSI and station position").

The estimate is a weighted centre of the stations' positions. Received power falls with
distance by the path loss of :mod:`foxden.domain.coverage`, ``L`` dB per decade of distance,
so a station's distance to the device goes as ``10 ** (-rssi / L)`` and its weight is the
inverse of that distance::

    w_i = 10 ** ((rssi_i - rssi_max) / L)        (1 for the strongest station; L ≈ 35 dB)
    lat = Σ w_i·lat_i / Σ w_i                    lng likewise, measured from the first station

A station 35 dB weaker than the strongest counts a tenth as much. Longitudes are measured from
the first station's, so a cluster across the antimeridian is not averaged to the far side of
the Earth. A reception without an RSSI weighs as the weakest one heard.

The radius is the distance from the centre to the farthest station heard, so the circle holds
every station, and never less than :data:`RADIUS_FLOOR_M`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from foxden.domain.coverage import Position, distance_km, path_loss_db
from foxden.domain.messages import ComputedLocation, Message

#: ``computedLocationSource`` 0: RSSI and station position.
RSSI = 0

#: The smallest radius claimed, metres. A centre of stations is no finer than the distance
#: between stations, 1 to 3 km in the densest city deployments, and Sigfox gives its own
#: network location 1 to 10 km; stations on one mast would otherwise make a circle of 0 m.
RADIUS_FLOOR_M = 2_000

#: Path loss per tenfold distance, dB (Okumura-Hata, as coverage models it).
_LOSS_PER_DECADE_DB = path_loss_db(10.0) - path_loss_db(1.0)


def locate(heard: Sequence[tuple[Position, float | None]]) -> ComputedLocation | None:
    """The estimated location of a frame that each (station position, rssi) of ``heard``
    received; None without any station."""
    if not heard:
        return None
    known = [rssi for _, rssi in heard if rssi is not None]
    weakest = min(known, default=0.0)
    strongest = max(known, default=0.0)
    weights = [
        10 ** (((rssi if rssi is not None else weakest) - strongest) / _LOSS_PER_DECADE_DB)
        for _, rssi in heard
    ]
    total = math.fsum(weights)
    origin = heard[0][0].lng
    lats = [position.lat for position, _ in heard]
    offsets = [_wrap(position.lng - origin) for position, _ in heard]
    centre = Position(
        _within(math.fsum(w * lat for w, lat in zip(weights, lats, strict=True)) / total, lats),
        _wrap(
            origin
            + _within(
                math.fsum(w * d for w, d in zip(weights, offsets, strict=True)) / total, offsets
            )
        ),
    )
    farthest_km = max(distance_km(centre, position) for position, _ in heard)
    radius = max(RADIUS_FLOOR_M, math.ceil(farthest_km * 1000))
    return ComputedLocation(centre.lat, centre.lng, radius, RSSI)


def of_message(message: Message, positions: Mapping[str, Position]) -> ComputedLocation | None:
    """Where ``message`` came from: the GPS fix of its payload, else the estimate from those of
    the stations that heard it whose ``positions`` are known; None without either."""
    if message.location is not None:
        return message.location
    return locate(
        [
            (positions[reception.station_id], reception.rssi)
            for reception in message.receptions
            if reception.station_id in positions
        ]
    )


def _wrap(lng: float) -> float:
    """A longitude in [-180, 180); one there already is kept exactly."""
    return lng if -180.0 <= lng < 180.0 else (lng + 180.0) % 360.0 - 180.0


def _within(mean: float, values: Sequence[float]) -> float:
    """A weighted mean kept between its values, which rounding can push it just past."""
    return min(max(mean, min(values)), max(values))
