"""Payload decoding: what an uplink's bytes mean, by its device type's ``payloadType``.

The ingest pipeline decodes every uplink and must never fail because of it, so the contract is
narrow: a bad config is refused where it is stored, a Custom frame gives what it holds with a
warning for the fields it cuts short or leaves out, and a Geolocation frame that holds no fix is
a decode error stored with the message::

    from foxden.domain.codec import Codec, Decoded, compile, decode

    codec = compile("b1::bool:7 i1:1:uint:16:little-endian")  # cached; InvalidPayloadConfig
    codec.decode(data)     # Reading({"b1": True, "i1": 13330}, warning=None)
    codec.encode(values)   # the inverse, for the simulator and the downlink builder
    codec.size             # the bytes the config reads

    decode(payload_type, config, data) -> Decoded(fields, location, warning)
        None         Decoded({}, None)
        String       {"text": data as ASCII, other bytes as \\xNN}, no location
        Custom       the fields of ``compile(config)`` and its warning; no config is
                     InvalidPayloadConfig
        Geolocation  {"lat": ..., "lng": ...} and ComputedLocation(lat, lng, 0, source GPS);
                     PayloadDecodeError if the frame holds no fix

Values are ``int`` (exact, up to 64 bits), ``float``, ``bool`` or ``str``. The grammar is in
:mod:`.grammar`, the field types in :mod:`.fields`, the text escaping in :mod:`.text` and the
Geolocation format in :mod:`.geolocation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foxden.domain.codec import geolocation, text
from foxden.domain.codec.fields import Value
from foxden.domain.codec.grammar import Codec, Reading, compile
from foxden.domain.device_types import PayloadType
from foxden.domain.errors import InvalidPayloadConfig
from foxden.domain.messages import ComputedLocation

__all__ = ["Codec", "Decoded", "Reading", "Value", "compile", "decode"]


@dataclass(frozen=True, slots=True)
class Decoded:
    """An uplink's decoded ``fields`` (each a :data:`Value`), its payload's ``location``, and
    a ``warning`` naming the fields the frame did not hold in full."""

    fields: dict[str, Any]
    location: ComputedLocation | None
    warning: str | None = None


def decode(payload_type: PayloadType, config: str | None, data: bytes) -> Decoded:
    """``data`` decoded as ``payload_type`` says; PayloadDecodeError if it holds no fix."""
    if payload_type is PayloadType.STRING:
        return Decoded({"text": text.escape(data)}, None)
    if payload_type is PayloadType.CUSTOM:
        if not config:
            raise InvalidPayloadConfig("a Custom payload type needs a payload config", 0)
        reading = compile(config).decode(data)
        return Decoded(reading.values, None, reading.warning)
    if payload_type is PayloadType.GEOLOCATION:
        location = geolocation.decode(data)
        return Decoded({"lat": location.lat, "lng": location.lng}, location)
    return Decoded({}, None)
