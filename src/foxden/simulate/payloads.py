"""What a simulated device sends: frames its device type's payload decodes to living values.

A Custom device type gets one behaviour per field of its payload config, encoded with the same
codec the ingest decodes with, so every frame decodes without error. A Geolocation device type
sends a wandering GPS fix; the other payload types (None, String) send a short ASCII word.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

from foxden.domain import codec
from foxden.domain.codec import geolocation
from foxden.domain.device_types import DeviceType, PayloadType
from foxden.domain.errors import InvalidInput
from foxden.domain.uplinks import MAX_PAYLOAD
from foxden.simulate.behaviours import Behaviour, Text, behaviour, track


class Payload(Protocol):
    """A device's frame source: each call gives the payload of the next frame."""

    def next(self, rng: random.Random) -> bytes:
        """The payload of the next frame, at most 12 bytes."""
        ...


@dataclass(frozen=True, slots=True)
class Fields:
    """The fields of a payload config, each with its behaviour."""

    codec: codec.Codec
    behaviours: dict[str, Behaviour]

    def next(self, rng: random.Random) -> bytes:
        return self.codec.encode({name: b.next(rng) for name, b in self.behaviours.items()})


@dataclass(frozen=True, slots=True)
class Position:
    """A GPS fix wandering about the stations' area (the Geolocation payload type)."""

    lat: Behaviour
    lng: Behaviour

    def next(self, rng: random.Random) -> bytes:
        lat, lng = self.lat.next(rng), self.lng.next(rng)
        assert isinstance(lat, float) and isinstance(lng, float)
        return geolocation.encode(lat, lng)


@dataclass(frozen=True, slots=True)
class Word:
    """A short ASCII word (the None and String payload types)."""

    text: Text

    def next(self, rng: random.Random) -> bytes:
        return str(self.text.next(rng)).encode("ascii")


def for_device_type(device_type: DeviceType, rng: random.Random) -> Payload:
    """The payload source of ``device_type``'s devices.

    Raises InvalidPayloadConfig for a config that does not compile and InvalidInput for one that
    reads more than the 12 bytes of a frame: such a device type cannot send a decodable frame.
    """
    if device_type.payload_type is PayloadType.GEOLOCATION:
        return Position(*track(rng))
    if device_type.payload_type is not PayloadType.CUSTOM or not device_type.payload_config:
        return Word(Text(rng.randint(2, 8)))
    compiled = codec.compile(device_type.payload_config)
    if compiled.size > MAX_PAYLOAD:
        raise InvalidInput(
            f"the payload config reads {compiled.size} bytes, a frame holds {MAX_PAYLOAD}"
        )
    return Fields(compiled, {f.name: behaviour(f, rng) for f in compiled.fields})
