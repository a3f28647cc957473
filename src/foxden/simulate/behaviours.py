"""How a simulated field's value evolves from one frame to the next, chosen by the field's name.

A payload config says only where a field sits and what type it has, but its name usually says
what it measures: ``temperature`` drifts around room temperature, ``battery`` drains, ``volume``
counts up like a meter, ``lat``/``lng`` wander around a home position. Values that move like the
real thing make the console, the rules and the callbacks worth looking at, and each behaviour
keeps its values inside what the field can hold, so the codec always encodes them.

Units follow the habits of small devices: an integer temperature or humidity field of 12 bits or
more counts tenths (215 is 21.5 °C), a smaller one whole units; an integer coordinate counts the
finest power of ten of a degree that fits (1e-7 degree in 32 bits, as GNSS receivers report);
floats carry plain units. A name that says nothing gets a slow random walk over its range.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from foxden.domain.codec.fields import Field, Value

HOME = (43.60, 1.44)
"""Where trackers wander: the area of the demo stations (Toulouse)."""

FLOAT_LIMIT = 1e6
"""Simulated float fields stay within ±FLOAT_LIMIT, a generous range for any sensor."""

_ALPHABET = string.ascii_uppercase + string.digits
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


class Behaviour(Protocol):
    """A field's value source: each call gives the value of the next frame."""

    def next(self, rng: random.Random) -> Value:
        """The value for the next frame."""
        ...


@dataclass(frozen=True, slots=True)
class Span:
    """The values a field can hold: integers from ``low`` to ``high``, or floats."""

    low: int | float
    high: int | float
    integer: bool

    def fit(self, value: float) -> Value:
        """``value`` rounded (for an integer field) and clamped into the span."""
        if self.integer:
            return min(max(round(value), int(self.low)), int(self.high))
        return min(max(value, self.low), self.high)


@dataclass(slots=True)
class Walk:
    """A value drifting around ``centre``, kept between ``low`` and ``high``.

    Each frame: ``value += pull * (centre - value) + gauss(0, step)``, then clamped. The pull
    (an Ornstein-Uhlenbeck walk) keeps it near ``centre`` instead of sticking to a bound.
    """

    span: Span
    value: float
    centre: float
    step: float
    low: float
    high: float
    pull: float = 0.05

    def next(self, rng: random.Random) -> Value:
        drift = self.pull * (self.centre - self.value) + rng.gauss(0, self.step)
        self.value = min(max(self.value + drift, self.low), self.high)
        return self.span.fit(self.value)


@dataclass(slots=True)
class Counter:
    """A meter: adds 0 to ``most`` each frame and rolls over to 0 past ``high``, as meters do."""

    span: Span
    value: float
    most: float

    def next(self, rng: random.Random) -> Value:
        added = rng.randint(0, int(self.most)) if self.span.integer else rng.uniform(0, self.most)
        self.value += added
        if self.value > self.span.high:
            self.value = 0
        return self.span.fit(self.value)


@dataclass(slots=True)
class Drain:
    """A battery: loses 0 to 2 × ``rate`` each frame from ``full``; replaced when flat."""

    span: Span
    level: float
    full: float
    empty: float
    rate: float

    def next(self, rng: random.Random) -> Value:
        self.level -= rng.uniform(0, 2 * self.rate)
        if self.level < self.empty:
            self.level = self.full
        return self.span.fit(self.level)


@dataclass(frozen=True, slots=True)
class Flag:
    """A flag raised in a ``chance`` of frames (an open door, a leak alarm)."""

    chance: float

    def next(self, rng: random.Random) -> Value:
        return rng.random() < self.chance


@dataclass(frozen=True, slots=True)
class Text:
    """``length`` random capital letters and digits."""

    length: int

    def next(self, rng: random.Random) -> Value:
        return "".join(rng.choice(_ALPHABET) for _ in range(self.length))


def behaviour(field: Field, rng: random.Random) -> Behaviour:
    """The behaviour of ``field``, by its type first, then by the words of its name."""
    kind = field.type.split(":")[0]
    words = name_words(field.name)
    if kind == "bool":
        return Flag(_flag_chance(words))
    if kind == "char":
        return Text(field.bits // 8)
    span = span_of(kind, field.bits)
    for prefixes, make in _BY_NAME:
        if _starts(words, prefixes):
            found = make(span, field.bits, rng)
            if found is not None:
                return found
    return _generic(span, rng)


def name_words(name: str) -> list[str]:
    """The words of a field name, lower-case: ``batteryMv2`` and ``battery_mv`` give battery, mv."""
    return [word.lower() for word in _WORDS.findall(name)]


def span_of(kind: str, bits: int) -> Span:
    """The span of a numeric field: ``uint``, ``int`` or ``float`` of ``bits`` bits."""
    if kind == "uint":
        return Span(0, (1 << bits) - 1, True)
    if kind == "int":
        return Span(-(1 << (bits - 1)), (1 << (bits - 1)) - 1, True)
    return Span(-FLOAT_LIMIT, FLOAT_LIMIT, False)


def track(rng: random.Random) -> tuple[Behaviour, Behaviour]:
    """Latitude and longitude in float degrees, for a Geolocation payload."""
    span = span_of("float", 64)
    latitude, longitude = _latitude(span, 64, rng), _longitude(span, 64, rng)
    assert latitude is not None and longitude is not None
    return latitude, longitude


def _starts(words: list[str], prefixes: tuple[str, ...]) -> bool:
    return any(word.startswith(prefixes) for word in words)


def _flag_chance(words: list[str]) -> float:
    if _starts(words, ("leak", "alarm", "alert", "tamper", "fault", "error")):
        return 0.01
    if _starts(words, ("door", "open", "motion", "button")):
        return 0.2
    return 0.1


def _scale(span: Span, bits: int) -> float:
    """Units per unit of measure: tenths in an integer field of 12 bits or more."""
    return 10.0 if span.integer and bits >= 12 else 1.0


def _walk(
    span: Span, rng: random.Random, low: float, high: float, centre: float, step: float
) -> Walk:
    """A walk over ``low``..``high`` (in field units) cut to the span, starting near ``centre``."""
    low, high = max(low, span.low), min(high, span.high)
    if low > high:  # the field cannot hold the usual range: use all of it
        low, high = span.low, span.high
    centre = min(max(centre, low), high)
    start = min(max(centre + rng.gauss(0, 3 * step), low), high)
    return Walk(span, start, centre, step, low, high)


def _temperature(span: Span, bits: int, rng: random.Random) -> Behaviour:
    unit = _scale(span, bits)
    centre = rng.uniform(4, 24) * unit  # a fridge to a living room
    return _walk(span, rng, -20 * unit, 45 * unit, centre, 0.2 * unit)


def _humidity(span: Span, bits: int, rng: random.Random) -> Behaviour:
    unit = _scale(span, bits)
    return _walk(span, rng, 10 * unit, 95 * unit, rng.uniform(35, 65) * unit, 1 * unit)


def _battery(span: Span, _bits: int, rng: random.Random) -> Behaviour:
    if not span.integer:
        full, empty, rate = 3.6, 2.9, 0.0005  # volts
    elif span.high >= 3600:
        full, empty, rate = 3600.0, 2900.0, 0.5  # millivolts
    else:
        full, empty, rate = float(min(100, int(span.high))), 0.0, 0.05  # percent
    return Drain(span, rng.uniform(empty + 0.3 * (full - empty), full), full, empty, rate)


def _counter(span: Span, _bits: int, rng: random.Random) -> Behaviour:
    high = min(span.high, FLOAT_LIMIT)
    return Counter(span, float(rng.randint(0, int(high) // 2)), min(40.0, high))


def _events(span: Span, _bits: int, rng: random.Random) -> Behaviour:
    return Counter(span, float(rng.randint(0, min(100, int(span.high)))), min(2.0, span.high))


def _degrees(span: Span, limit: float, home: float, rng: random.Random) -> Walk | None:
    """A coordinate wandering about ``home``, in the finest decimal unit the field can hold."""
    unit = 1.0
    if span.integer:
        fitting = [10**k for k in range(7, -1, -1) if limit * 10**k <= span.high]
        if not fitting:
            return None
        unit = float(fitting[0])
    centre = (home + rng.uniform(-0.05, 0.05)) * unit
    return _walk(span, rng, -limit * unit, limit * unit, centre, 0.001 * unit)


def _latitude(span: Span, _bits: int, rng: random.Random) -> Behaviour | None:
    return _degrees(span, 90, HOME[0], rng)


def _longitude(span: Span, _bits: int, rng: random.Random) -> Behaviour | None:
    return _degrees(span, 180, HOME[1], rng)


def _generic(span: Span, rng: random.Random) -> Behaviour:
    """A slow walk over the middle of the range, for a name that says nothing."""
    low, high = span.low, span.high
    return _walk(span, rng, low, high, rng.uniform(low, high), (high - low) / 100)


_Make = Callable[[Span, int, random.Random], Behaviour | None]

# A word of the name starting with one of the prefixes picks the behaviour; the first row that
# matches wins, so "door_count" counts door openings rather than volume.
_BY_NAME: tuple[tuple[tuple[str, ...], _Make], ...] = (
    (("temp",), _temperature),
    (("hum",), _humidity),
    (("batt", "volt", "vbat"), _battery),
    (("lat",), _latitude),
    (("lng", "lon"), _longitude),
    (("door", "open", "event", "alarm", "button", "motion"), _events),
    (("volume", "count", "index", "pulse", "total", "energy", "meter", "flow"), _counter),
)
