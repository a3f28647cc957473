from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.codec import Reading, Value, compile
from foxden.domain.codec.fields import Field
from foxden.domain.codec.grammar import parse
from foxden.domain.errors import InvalidPayloadConfig

NAME_CHARACTERS = string.ascii_letters + string.digits + "#_-"


@st.composite
def layouts(draw: st.DrawFn) -> tuple[str, dict[str, Value]]:
    """A valid config of fields that do not overlap, written every way the grammar allows,
    and a value for each field."""
    words: list[str] = []
    values: dict[str, Value] = {}
    free = 0  # the first frame bit no field uses yet
    current = 0  # the byte an omitted index means, by the seed's rule
    for i in range(draw(st.integers(1, 8))):
        free += draw(st.integers(0, 12))
        byte, offset = free // 8, 7 - free % 8
        kind = draw(st.sampled_from(["bool", "char", "float", "int", "uint"]))
        explicit = kind == "bool" or offset != 7 or draw(st.booleans())
        suffix = f":{offset}" if explicit else ""
        if kind == "bool":
            bits, spec, value = 1, f"bool:{offset}", draw(st.booleans())
        elif kind == "char":
            length = draw(st.integers(1, 4))
            bits, spec = 8 * length, f"char:{length}{suffix}"
            value = draw(st.binary(min_size=length, max_size=length)).decode("latin-1")
        else:
            bits = draw(st.sampled_from([32, 64]) if kind == "float" else st.integers(1, 64))
            order = draw(ORDERS)
            spec = f"{kind}:{bits}{order}{suffix}"
            value = draw(_numbers(kind, bits))
        index = "" if byte == current and draw(st.booleans()) else str(byte)
        name = draw(st.text(NAME_CHARACTERS, max_size=4)) + f"_{i}"
        words.append(f"{name}:{index}:{spec}")
        values[name] = value
        last = (free + bits - 1) // 8
        current = last if explicit else last + 1
        free += bits
    separators = draw(st.lists(st.sampled_from([" ", "  ", "\n", "\t"]), min_size=len(words)))
    config = "".join(sep + word for sep, word in zip(separators, words, strict=False))
    return config, values


ORDERS = st.sampled_from(["", ":", ":big-endian", ":little-endian"])


def _numbers(kind: str, bits: int) -> st.SearchStrategy[Value]:
    if kind == "uint":
        return st.integers(0, 2**bits - 1)
    if kind == "int":
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return st.floats(width=bits, allow_nan=False)


@given(layouts(), st.binary(max_size=4))
def test_encode_then_decode_gives_the_values_back(
    layout: tuple[str, dict[str, Value]], trailing: bytes
) -> None:
    config, values = layout
    codec = compile(config)
    frame = codec.encode(values)
    assert len(frame) == codec.size
    assert codec.decode(frame) == Reading(values)
    assert codec.decode(frame + trailing) == Reading(values)


@st.composite
def configs(draw: st.DrawFn) -> str:
    """Any valid config of the grammar: fields anywhere, overlapping, names used again."""
    words = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(["a", "b", "c", "t#1", "x-y"]))
        index = draw(st.sampled_from(["", *map(str, range(14))]))
        kind = draw(st.sampled_from(["bool", "char", "float", "int", "uint"]))
        offset = draw(st.sampled_from(["", *(f":{bit}" for bit in range(8))]))
        if kind == "bool":
            spec = f"bool:{draw(st.integers(0, 7))}"
        elif kind == "char":
            spec = f"char:{draw(st.integers(1, 5))}{offset}"
        else:
            bits = draw(st.sampled_from([32, 64]) if kind == "float" else st.integers(1, 64))
            order = draw(ORDERS)
            spec = f"{kind}:{bits}{order}{offset}"
        words.append(f"{name}:{index}:{spec}")
    return " ".join(words)


def _as_declared(field: Field, bits: int, frame: bytes) -> Value:
    """What a config declaring ``field`` with only ``bits`` bits reads from ``frame``."""
    kind, _, *rest = field.type.split(":")
    size = bits // 8 if kind == "char" else bits
    reading = compile(":".join([f"v:{field.start // 8}:{kind}", str(size), *rest])).decode(frame)
    assert reading.warning is None
    return reading.values["v"]


def _same(a: Value, b: Value) -> bool:
    return a == b or (a != a and b != b)  # NaN is itself here


@given(configs(), st.binary(max_size=12), st.binary(max_size=12))
def test_any_frame_gives_the_fields_it_holds_and_names_the_others(
    config: str, frame: bytes, more: bytes
) -> None:
    codec = compile(config)
    reading = codec.decode(frame)
    whole = frame + more + bytes(codec.size)
    longer = codec.decode(whole)
    assert longer == Reading({f.name: longer.values[f.name] for f in codec.fields})
    for field in codec.fields:
        # As foxden always read a frame that holds every field: one shift and mask.
        raw = (int.from_bytes(whole, "big") >> (8 * len(whole) - field.stop)) & field.mask
        assert _same(longer.values[field.name], field.read(raw))
    assert (reading.warning is None) == (len(frame) >= codec.size)
    for field in codec.fields:
        held = 8 * len(frame) - field.start
        kind = field.type.split(":")[0]
        part = held if kind in ("int", "uint") else 8 * (held // 8) if kind == "char" else 0
        if held >= field.bits:
            # What the frame holds reads as it does in any longer frame, as it always did.
            assert _same(reading.values[field.name], longer.values[field.name])
            continue
        assert reading.warning is not None
        if part > 0:
            assert _same(reading.values[field.name], _as_declared(field, part, frame))
            assert f"{field.name!r} keeps {part} of its {field.bits} bits" in reading.warning
        else:
            assert field.name not in reading.values
            assert f"{field.name!r} is left out" in reading.warning


def _refused_or_compiled(config: str) -> None:
    try:
        codec = parse(config)
    except InvalidPayloadConfig as exc:
        assert 0 <= exc.position <= len(config)
        assert f"at position {exc.position}:" in exc.message
    else:
        assert 1 <= codec.size <= 256
        assert len(codec.fields) == len({word.split(":")[0] for word in config.split()})


@given(st.text())
def test_any_text_compiles_or_is_refused_with_a_position(config: str) -> None:
    _refused_or_compiled(config)


TOKENS = [
    "", "a", "#", "-", "é", ":", "::", " ", "bool", "char", "float", "int", "uint",
    "little-endian", "big-endian", "0", "1", "7", "8", "9", "16", "32", "64", "65", "256",
]  # fmt: skip


@given(layouts(), st.integers(min_value=0), st.sampled_from(TOKENS), st.integers(0, 3))
def test_edited_configs_compile_or_are_refused_with_a_position(
    layout: tuple[str, dict[str, Value]], at: int, token: str, cut: int
) -> None:
    config = layout[0]
    at %= len(config) + 1
    _refused_or_compiled(config[:at] + token + config[at + cut :])
