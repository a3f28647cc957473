"""Seed 002's custom format grammar: parse a payload config once, decode many frames.

A payload config such as ``b1::bool:7 b2::bool:6 i1:1:uint:16:little-endian`` names fields and
says where each one sits in the frame. :func:`compile` turns it into a :class:`Codec` that holds
every field as a span of the frame's bits plus a conversion, so decoding a frame is one integer
made of the whole frame, then one shift, mask and conversion per field. A frame that ends early
still gives the fields it holds, with a warning for the others: devices leave trailing fields
out. The parser stops at the first error and says at which character, because a person fixing a
config in a form needs that.
Where the seed text is silent, docs/decisions/0005 says what foxden does and why.

Where a field without a byte index starts (the seed's rule, in terms of a *current byte*):
the first field starts at byte 0; after a field written with a bit offset (a ``bool`` always has
one) the current byte is the last byte that field touched, otherwise it is the byte after it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from foxden.domain.codec import fields
from foxden.domain.codec.fields import Field, Value
from foxden.domain.errors import InvalidInput, InvalidPayloadConfig

MAX_SIZE = 256
"""The most bytes a config may read: more than any LPWAN frame, few enough to encode safely."""

_WORD = re.compile(r"\S+")
_DIGITS = re.compile(r"[0-9]{1,6}")
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#_-")
_LITTLE_ENDIAN = {"": False, "big-endian": False, "little-endian": True}


@dataclass(frozen=True, slots=True)
class Reading:
    """What a frame holds of a config: each field's value, and a ``warning`` naming the fields
    that the frame cuts short or leaves out, None when it holds them all."""

    values: dict[str, Value]
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class Codec:
    """A compiled payload config: the ``fields`` that give a value, in config order (a name used
    twice is the later field's); ``size`` is the bytes they read."""

    config: str
    fields: tuple[Field, ...]
    size: int

    def decode(self, data: bytes) -> Reading:
        """What ``data`` holds of every field, never an error.

        Bytes after ``size`` are ignored: a config need not name every byte of a frame. A field
        the frame ends in keeps the part :attr:`Field.cut` gives; one with no such part, or
        starting past the frame, is left out (docs/decisions/0005).
        """
        end = 8 * len(data)
        held, warning = (self.fields, None) if len(data) >= self.size else self._held(len(data))
        frame = int.from_bytes(data, "big")
        return Reading({f.name: f.read((frame >> (end - f.stop)) & f.mask) for f in held}, warning)

    def _held(self, length: int) -> tuple[tuple[Field, ...], str]:
        """What a ``length``-byte frame holds of the fields, and the warning that says the rest."""
        end = 8 * length
        held: list[Field] = []
        shortfalls: list[str] = []
        for f in self.fields:
            part: Field | None = None  # starting past the end, the field is left out
            if f.stop <= end:
                part = f
            elif f.start < end:
                part = f.cut(end - f.start)
            if part is not None:
                held.append(part)
            if part is not f:
                shortfalls.append(_shortfall(f, part, end))
        reads = f"the frame has {length} of the {self.size} bytes the payload config reads"
        return tuple(held), f"{reads}: {'; '.join(shortfalls)}"

    def encode(self, values: Mapping[str, Value]) -> bytes:
        """The ``size``-byte frame that decodes to ``values``; InvalidInput on a bad value.

        Every field needs a value and every value a field. Bits no field covers are 0; where
        fields overlap, the later one's bits are kept.
        """
        unknown = sorted(values.keys() - {f.name for f in self.fields})
        if unknown:
            raise InvalidInput(f"no field named {unknown[0]!r} in the payload config")
        frame = 0
        end = 8 * self.size
        for f in self.fields:
            if f.name not in values:
                raise InvalidInput(f"no value for field {f.name!r}")
            shift = end - f.stop
            frame = (frame & ~(f.mask << shift)) | (f.write(values[f.name]) << shift)
        return frame.to_bytes(self.size, "big")


def _shortfall(f: Field, held: Field | None, end: int) -> str:
    if held is not None:
        return f"{f.name!r} keeps {held.bits} of its {f.bits} bits"
    if f.start >= end:
        return f"{f.name!r} is left out, it starts past the end"
    held_bits = end - f.start
    return f"{f.name!r} is left out, a {f.type} needs {f.bits} bits and the frame holds {held_bits}"


@dataclass(frozen=True, slots=True)
class _Part:
    """A piece of a field definition between colons, and the position of its first character."""

    text: str
    at: int


_Builder = Callable[[_Part, int, list[_Part], int], tuple[Field, bool]]


def parse(config: str) -> Codec:
    """``config`` compiled, or InvalidPayloadConfig at the first error. Use :func:`compile`."""
    parsed: list[Field] = []
    current = 0  # the byte a field without an index starts on
    for word in _WORD.finditer(config):
        name, index, kind, params = _parts(word[0], word.start(), word.end())
        _check_name(name)
        byte = current if index.text == "" else _number(index, 0, MAX_SIZE - 1, "the byte index")
        build = _BUILDERS.get(kind.text)
        if build is None:
            raise InvalidPayloadConfig(
                f"unknown type {kind.text!r}: expected bool, char, float, int or uint", kind.at
            )
        field, has_offset = build(name, byte, [kind, *params], word.end())
        parsed.append(field)
        current = field.last_byte if has_offset else field.last_byte + 1
    if not parsed:
        raise InvalidPayloadConfig("the config has no field, e.g. 'temperature::int:16'", 0)
    # A name used again is the later field's: the earlier one only placed the current byte.
    named = {f.name: f for f in parsed}
    kept = tuple(f for f in parsed if named[f.name] is f)
    return Codec(config, kept, max(f.last_byte for f in kept) + 1)


def _parts(word: str, at: int, end: int) -> tuple[_Part, _Part, _Part, list[_Part]]:
    parts: list[_Part] = []
    for text in word.split(":"):
        parts.append(_Part(text, at))
        at += len(text) + 1
    if len(parts) < 3:
        raise InvalidPayloadConfig("expected name:byte_index:type", end)
    name, index, kind, *params = parts
    return name, index, kind, params


def _check_name(name: _Part) -> None:
    if not name.text:
        raise InvalidPayloadConfig("a field needs a name", name.at)
    for i, character in enumerate(name.text):
        if character not in _NAME_CHARACTERS:
            raise InvalidPayloadConfig(
                f"{character!r} in a field name: use letters, digits, '#', '_' or '-'", name.at + i
            )


def _bool(name: _Part, byte: int, spec: list[_Part], end: int) -> tuple[Field, bool]:
    """``bool:<bit>``: the bit (7 is the most significant) of the byte."""
    params = _params(spec, 1, 1, end, "bool takes the bit position, 0 to 7")
    bit = _number(params[0], 0, 7, "the bit position")
    return fields.boolean(name.text, _text(spec), _start(name, byte, bit, 1)), True


def _char(name: _Part, byte: int, spec: list[_Part], end: int) -> tuple[Field, bool]:
    """``char:<length>[:<offset>]``: ``length`` bytes of text, from bit ``offset`` (default 7)."""
    params = _params(spec, 1, 2, end, "char takes a length and optionally a bit offset")
    length = _number(params[0], 1, MAX_SIZE, "the length")
    offset = _number(params[1], 0, 7, "the bit offset") if len(params) == 2 else None
    start = _start(name, byte, 7 if offset is None else offset, 8 * length)
    return fields.characters(name.text, _text(spec), start, length), offset is not None


def _number_type(
    make: Callable[[str, str, int, int, bool], Field], sizes: range | tuple[int, ...], said: str
) -> _Builder:
    """``<type>:<bits>[:<endianness>][:<offset>]``, the endianness possibly empty."""

    def build(name: _Part, byte: int, spec: list[_Part], end: int) -> tuple[Field, bool]:
        kind = spec[0].text
        params = _params(spec, 1, 3, end, f"{kind} takes a size, an endianness and a bit offset")
        size, *rest = params
        bits = int(size.text) if _DIGITS.fullmatch(size.text) else 0
        if bits not in sizes:
            raise InvalidPayloadConfig(f"{kind} has {said} bits, not {size.text!r}", size.at)
        little_endian, offset = _order_and_offset(rest)
        start = _start(name, byte, 7 if offset is None else offset, bits)
        return make(name.text, _text(spec), start, bits, little_endian), offset is not None

    return build


def _order_and_offset(rest: list[_Part]) -> tuple[bool, int | None]:
    """The endianness and bit offset after a size: ``[order]``, ``[offset]`` or both; an empty
    order is the default, big-endian."""
    if len(rest) == 1 and _DIGITS.fullmatch(rest[0].text):
        return False, _number(rest[0], 0, 7, "the bit offset")
    if rest and rest[0].text not in _LITTLE_ENDIAN:
        expected = (
            "little-endian or big-endian"
            if len(rest) == 2
            else "little-endian, big-endian or a bit offset"
        )
        raise InvalidPayloadConfig(f"expected {expected}, not {rest[0].text!r}", rest[0].at)
    little_endian = bool(rest) and _LITTLE_ENDIAN[rest[0].text]
    return little_endian, _number(rest[1], 0, 7, "the bit offset") if len(rest) == 2 else None


def _params(spec: list[_Part], least: int, most: int, end: int, usage: str) -> list[_Part]:
    params = spec[1:]
    if len(params) < least:
        raise InvalidPayloadConfig(usage, end)
    if len(params) > most:
        raise InvalidPayloadConfig(usage, params[most].at)
    return params


def _number(part: _Part, low: int, high: int, what: str) -> int:
    if _DIGITS.fullmatch(part.text) is None or not low <= int(part.text) <= high:
        raise InvalidPayloadConfig(f"{what} is {low} to {high}, not {part.text!r}", part.at)
    return int(part.text)


def _start(name: _Part, byte: int, offset: int, bits: int) -> int:
    """The frame bit where a field starts; InvalidPayloadConfig if it would end past MAX_SIZE."""
    start = 8 * byte + 7 - offset
    last = (start + bits - 1) // 8
    if last >= MAX_SIZE:
        raise InvalidPayloadConfig(
            f"field {name.text!r} ends in byte {last}, past the {MAX_SIZE} a config may read",
            name.at,
        )
    return start


def _text(spec: list[_Part]) -> str:
    return ":".join(part.text for part in spec)


_BUILDERS: dict[str, _Builder] = {
    "bool": _bool,
    "char": _char,
    "float": _number_type(fields.floating, (32, 64), "32 or 64"),
    "int": _number_type(fields.signed, range(1, 65), "1 to 64"),
    "uint": _number_type(fields.unsigned, range(1, 65), "1 to 64"),
}

_compiled = functools.lru_cache(maxsize=1024)(parse)


def compile(config: str) -> Codec:
    """``config`` compiled, cached: the ingest asks for its device type's codec on every uplink."""
    return _compiled(config)
