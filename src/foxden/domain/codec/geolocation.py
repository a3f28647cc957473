"""The ``Geolocation`` payload type: a GPS fix in the first 8 bytes of the frame.

Seed 002 ties this type to a ``geolocPayloadConfigId`` whose formats were never published, so
foxden fixes one (docs/decisions/0005): latitude, then longitude, each a big-endian signed 32-bit
integer in units of 1e-7 degree. That is the unit GNSS receivers report in binary (1.1 cm at the
equator), and ±180° fits in 32 bits. Bytes 8 to 11 are left to the device and ignored. A fix
becomes the message's ``computedLocation`` with radius 0 and source GPS.
"""

from __future__ import annotations

import struct

from foxden.domain.errors import InvalidInput, PayloadDecodeError
from foxden.domain.messages import ComputedLocation

GPS = 1
"""``computedLocationSource`` 1: GPS data inside the payload."""

_FIX = struct.Struct(">ii")
_UNITS_PER_DEGREE = 10_000_000


def decode(data: bytes) -> ComputedLocation:
    """The fix in ``data``; PayloadDecodeError if it is shorter than 8 bytes or off the globe."""
    if len(data) < _FIX.size:
        raise PayloadDecodeError(
            f"a Geolocation frame starts with 8 bytes (latitude, longitude), this one has only "
            f"{len(data)}"
        )
    lat_units, lng_units = _FIX.unpack_from(data)
    lat, lng = lat_units / _UNITS_PER_DEGREE, lng_units / _UNITS_PER_DEGREE
    if not _on_globe(lat, lng):
        raise PayloadDecodeError(f"latitude {lat} and longitude {lng} are not a position")
    return ComputedLocation(lat=lat, lng=lng, radius=0, source=GPS)


def encode(lat: float, lng: float) -> bytes:
    """The 8 bytes that :func:`decode` reads as ``lat``, ``lng`` (rounded to 1e-7 degree)."""
    if not _on_globe(lat, lng):
        raise InvalidInput(f"latitude {lat} and longitude {lng} are not a position")
    return _FIX.pack(round(lat * _UNITS_PER_DEGREE), round(lng * _UNITS_PER_DEGREE))


def _on_globe(lat: float, lng: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lng <= 180
