"""The field types of the custom grammar: from a field's raw bits to its value, and back.

Every field is read the same way, as the unsigned integer formed by ``bits`` consecutive bits of
the frame taken most significant bit first. What a type adds is only the mapping of those raw
bits to a value (flag, two's-complement integer, IEEE 754 float, text) and the byte order. So
decoding a field is one shift, one mask and one call, and the encoder is the exact inverse.

Little-endian splits the raw bits into 8-bit groups from the first bit read, the first group
being the least significant; a last group shorter than 8 bits is the most significant
(docs/decisions/0005). For byte-aligned fields that is ordinary little-endian.

A frame may end inside a field. What is left of it is the field :attr:`Field.cut` to the bits
the frame holds: an integer of fewer bits, the whole characters of a text; a flag or a float
means nothing in part, so it has none.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from foxden.domain.errors import InvalidInput

Value = int | float | bool | str

_FLOATS = {32: struct.Struct(">f"), 64: struct.Struct(">d")}


@dataclass(frozen=True, slots=True)
class Field:
    """A field: ``bits`` bits from frame bit ``start`` (bit 0 is the top bit of byte 0).

    ``type`` is the type as the config wrote it (``uint:16:little-endian``); ``read`` maps the raw
    bits to the value, ``write`` maps a value back to raw bits or raises InvalidInput; ``cut``
    gives the field that reads only its first ``n`` bits, or None where a part means nothing.
    """

    name: str
    type: str
    start: int
    bits: int
    read: Callable[[int], Value] = field(repr=False, compare=False)
    write: Callable[[Value], int] = field(repr=False, compare=False)
    cut: Callable[[int], Field | None] = field(repr=False, compare=False)
    stop: int = field(init=False, repr=False)
    mask: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stop", self.start + self.bits)
        object.__setattr__(self, "mask", (1 << self.bits) - 1)

    @property
    def last_byte(self) -> int:
        """The index of the last byte the field touches."""
        return (self.stop - 1) // 8


def boolean(name: str, spec: str, start: int) -> Field:
    """``bool:<bit>``: one bit, ``True`` when set."""

    def write(value: Value) -> int:
        if not isinstance(value, bool):
            raise _invalid(name, value, "a bool")
        return int(value)

    return Field(name, spec, start, 1, _is_set, write, _no_part)


def unsigned(name: str, spec: str, start: int, bits: int, little_endian: bool) -> Field:
    """``uint:<bits>``: 0 to 2**bits - 1."""

    def read(raw: int) -> Value:
        return _from_little(raw, bits) if little_endian else raw

    def write(value: Value) -> int:
        number = _integer(name, value, 0, (1 << bits) - 1)
        return _to_little(number, bits) if little_endian else number

    def cut(part: int) -> Field:
        return unsigned(name, spec, start, part, little_endian)

    return Field(name, spec, start, bits, read, write, cut)


def signed(name: str, spec: str, start: int, bits: int, little_endian: bool) -> Field:
    """``int:<bits>``: two's complement, -2**(bits-1) to 2**(bits-1) - 1."""
    sign = 1 << (bits - 1)

    def read(raw: int) -> Value:
        number = _from_little(raw, bits) if little_endian else raw
        return number - (number & sign) * 2

    def write(value: Value) -> int:
        number = _integer(name, value, -sign, sign - 1) & ((1 << bits) - 1)
        return _to_little(number, bits) if little_endian else number

    def cut(part: int) -> Field:
        return signed(name, spec, start, part, little_endian)

    return Field(name, spec, start, bits, read, write, cut)


def floating(name: str, spec: str, start: int, bits: int, little_endian: bool) -> Field:
    """``float:32`` or ``float:64``: IEEE 754 binary32 or binary64."""
    layout = _FLOATS[bits]
    size = bits // 8

    def read(raw: int) -> Value:
        number = _from_little(raw, bits) if little_endian else raw
        result: float = layout.unpack(number.to_bytes(size, "big"))[0]
        return result

    def write(value: Value) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(name, value, "a number")
        try:
            number = int.from_bytes(layout.pack(value), "big")
        except OverflowError as exc:
            raise _invalid(name, value, f"a number a {bits}-bit float can hold") from exc
        return _to_little(number, bits) if little_endian else number

    return Field(name, spec, start, bits, read, write, _no_part)


def characters(name: str, spec: str, start: int, length: int) -> Field:
    """``char:<length>``: ``length`` bytes, each the latin-1 character of that code (0 to 255)."""

    def read(raw: int) -> Value:
        return raw.to_bytes(length, "big").decode("latin-1")

    def write(value: Value) -> int:
        if not isinstance(value, str) or len(value) != length or max(value) > "\xff":
            raise _invalid(name, value, f"text of exactly {length} latin-1 characters")
        return int.from_bytes(value.encode("latin-1"), "big")

    def cut(part: int) -> Field | None:
        return characters(name, spec, start, part // 8) if part >= 8 else None

    return Field(name, spec, start, 8 * length, read, write, cut)


def _is_set(raw: int) -> Value:
    return raw == 1


def _no_part(part: int) -> None:
    return None


def _from_little(raw: int, bits: int) -> int:
    """The value of little-endian ``raw``: its 8-bit groups, the first one least significant."""
    whole, rest = divmod(bits, 8)
    low = int.from_bytes((raw >> rest).to_bytes(whole, "big"), "little")
    return low | ((raw & ((1 << rest) - 1)) << (8 * whole))


def _to_little(number: int, bits: int) -> int:
    """The raw bits that :func:`_from_little` reads as ``number``."""
    whole, rest = divmod(bits, 8)
    low = number & ((1 << (8 * whole)) - 1)
    head = int.from_bytes(low.to_bytes(whole, "little"), "big")
    return (head << rest) | (number >> (8 * whole))


def _integer(name: str, value: Value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(name, value, f"an integer from {low} to {high}")
    return value


def _invalid(name: str, value: Value, expected: str) -> InvalidInput:
    return InvalidInput(f"invalid value {value!r} for field {name!r}: expected {expected}")
