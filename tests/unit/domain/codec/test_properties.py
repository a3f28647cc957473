from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.codec import Value, compile, text
from foxden.domain.codec.grammar import parse
from foxden.domain.errors import InvalidPayloadConfig, PayloadDecodeError

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
            value = text.escape(draw(st.binary(min_size=length, max_size=length)))
        else:
            bits = draw(st.sampled_from([32, 64]) if kind == "float" else st.integers(1, 64))
            order = draw(st.sampled_from(["", ":big-endian", ":little-endian"]))
            if explicit and not order:
                order = draw(st.sampled_from(["", ":"]))
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
    assert codec.decode(frame) == values
    assert codec.decode(frame + trailing) == values


@given(layouts(), st.binary(max_size=40))
def test_any_frame_decodes_or_is_a_decode_error(
    layout: tuple[str, dict[str, Value]], frame: bytes
) -> None:
    codec = compile(layout[0])
    try:
        values = codec.decode(frame)
    except PayloadDecodeError:
        assert len(frame) < codec.size
    else:
        assert values.keys() == layout[1].keys()


def _refused_or_compiled(config: str) -> None:
    try:
        codec = parse(config)
    except InvalidPayloadConfig as exc:
        assert 0 <= exc.position <= len(config)
        assert f"at position {exc.position}:" in exc.message
    else:
        assert 1 <= codec.size <= 256
        assert len(codec.fields) == len(config.split())


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
