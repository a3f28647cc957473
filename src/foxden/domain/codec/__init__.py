"""Payload decoding: what an uplink's bytes mean, by its device type's ``payloadType``.

The ingest pipeline decodes every uplink and must never fail because of it, so the contract is
narrow and its two errors are the only ones: a bad config is refused where it is stored, and a
frame that does not fit is stored with the message as its decode error::

    from foxden.domain.codec import Codec, Decoded, compile, decode

    codec = compile("b1::bool:7 i1:1:uint:16:little-endian")  # cached; InvalidPayloadConfig
    codec.decode(data)     # {"b1": True, "i1": 13330}; PayloadDecodeError if data is too short
    codec.encode(values)   # the inverse, for the simulator and the downlink builder
    codec.size             # the bytes the config reads

    decode(payload_type, config, data) -> Decoded(fields, location)
        None         Decoded({}, None)
        String       {"text": data as ASCII, other bytes as \\xNN}, no location
        Custom       the fields of ``compile(config)``; no config is InvalidPayloadConfig
        Geolocation  {"lat": ..., "lng": ...} and ComputedLocation(lat, lng, 0, source GPS)

Values are ``int`` (exact, up to 64 bits), ``float``, ``bool`` or ``str``. The grammar is in
:mod:`.grammar`, the field types in :mod:`.fields`, the text escaping in :mod:`.text` and the
Geolocation format in :mod:`.geolocation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from foxden.domain.codec import geolocation, text
from foxden.domain.codec.fields import Value
from foxden.domain.codec.grammar import Codec, compile
from foxden.domain.device_types import PayloadType
from foxden.domain.errors import InvalidPayloadConfig
from foxden.domain.messages import ComputedLocation

__all__ = ["Codec", "Decoded", "Value", "compile", "decode"]


@dataclass(frozen=True, slots=True)
class Decoded:
    """An uplink's decoded ``fields`` (each a :data:`Value`), and its payload's ``location``."""

    fields: dict[str, Any]
    location: ComputedLocation | None


def decode(payload_type: PayloadType, config: str | None, data: bytes) -> Decoded:
    """``data`` decoded as ``payload_type`` says; PayloadDecodeError if it does not fit."""
    if payload_type is PayloadType.STRING:
        return Decoded({"text": text.escape(data)}, None)
    if payload_type is PayloadType.CUSTOM:
        if not config:
            raise InvalidPayloadConfig("a Custom payload type needs a payload config", 0)
        return Decoded(compile(config).decode(data), None)
    if payload_type is PayloadType.GEOLOCATION:
        location = geolocation.decode(data)
        return Decoded({"lat": location.lat, "lng": location.lng}, location)
    return Decoded({}, None)
