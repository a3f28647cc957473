from __future__ import annotations

import math

import pytest

from foxden.domain.codec import Reading, Value, compile
from foxden.domain.codec.grammar import MAX_SIZE, parse
from foxden.domain.errors import InvalidInput, InvalidPayloadConfig

# The example table of seed 002, "Custom message type decoding grammar".
SEED_EXAMPLES = [
    ("int1::uint:8 int2::uint:8", "1234", {"int1": 0x12, "int2": 0x34}),
    ("b1::bool:7 b2::bool:6 i1:1:uint:16", "C01234", {"b1": True, "b2": True, "i1": 0x1234}),
    (
        "b1::bool:7 b2::bool:6 i1:1:uint:16:little-endian",
        "801234",
        {"b1": True, "b2": False, "i1": 0x3412},
    ),
    (
        "b1::bool:7 b2::bool:6 i1:1:uint:16:little-endian i2::uint:8",
        "80123456",
        {"b1": True, "b2": False, "i1": 0x3412, "i2": 0x56},
    ),
    (
        "str::char:6 i1::uint:16 i2::uint:32",
        "41424344454601234567890A",
        {"str": "ABCDEF", "i1": 0x0123, "i2": 0x4567890A},
    ),
]


def decoded(config: str, frame: str) -> dict[str, Value]:
    reading = compile(config).decode(bytes.fromhex(frame))
    assert reading.warning is None
    return reading.values


@pytest.mark.parametrize(("config", "frame", "expected"), SEED_EXAMPLES)
def test_the_seed_examples_decode_exactly(
    config: str, frame: str, expected: dict[str, Value]
) -> None:
    result = decoded(config, frame)
    assert result == expected
    assert [type(v) for v in result.values()] == [type(v) for v in expected.values()]


def test_the_sixth_seed_example_keeps_the_27_bits_of_i2_a_twelve_byte_frame_holds() -> None:
    # i2 starts at bit 2 of byte 8: 3 + 8 + 8 + 8 bits are in the frame, 5 more are not.
    codec = compile("str::char:6 i1::uint:16 i2::uint:32:2")
    assert codec.size == 13
    assert codec.decode(bytes.fromhex("41424344454601234567890A")) == Reading(
        {"str": "ABCDEF", "i1": 0x0123, "i2": 0x567890A},
        "the frame has 12 of the 13 bytes the payload config reads: 'i2' keeps 27 of its 32 bits",
    )
    assert decoded("str::char:6 i1::uint:16 i2::uint:32:2", "41424344454601234567890A00") == {
        "str": "ABCDEF",
        "i1": 0x0123,
        "i2": 0x567890A << 5,
    }
    assert decoded("str::char:6 i1::uint:16 i2::uint:32:2", "41424344454601234567890AF8") == {
        "str": "ABCDEF",
        "i1": 0x0123,
        "i2": 0xACF1215F,
    }


@pytest.mark.parametrize(
    ("config", "frame", "expected"),
    [
        # No bit offset: the next field starts on the next byte (the pitfall of nibbles).
        ("a::uint:4 b::uint:4", "1234", {"a": 0x1, "b": 0x3}),
        # With a bit offset the next field stays on the last byte used.
        ("a::uint:4:7 b::uint:4:3", "12", {"a": 0x1, "b": 0x2}),
        ("flag::bool:0 n::uint:8", "81", {"flag": True, "n": 0x81}),
        ("a::uint:8:7 b::uint:8", "7f", {"a": 0x7F, "b": 0x7F}),
        ("wide::uint:12:3 n::uint:8", "abcd", {"wide": 0xBCD, "n": 0xCD}),
        # A bool goes on the current byte, which is the next one after a field without offset.
        ("n::uint:8 flag::bool:7", "0080", {"n": 0, "flag": True}),
        ("a:1:uint:8 b::uint:8 c:0:uint:8", "010203", {"a": 2, "b": 3, "c": 1}),
        ("s::char:2 n::uint:8", "414205", {"s": "AB", "n": 5}),
    ],
)
def test_an_omitted_byte_index_follows_the_seed_rules(
    config: str, frame: str, expected: dict[str, Value]
) -> None:
    assert decoded(config, frame) == expected


@pytest.mark.parametrize(
    ("config", "frame", "expected"),
    [
        ("v::uint:1", "80", 1),
        ("v::uint:3:2", "05", 5),
        ("v::uint:12:3", "abcd", 0xBCD),
        ("v::uint:64", "ffffffffffffffff", 2**64 - 1),
        ("v::uint:64:little-endian", "0100000000000080", 2**63 + 1),
        ("v::uint:16:big-endian", "1234", 0x1234),
        ("v::uint:12:little-endian", "abcd", 0xCAB),
        ("v::uint:16:little-endian:3", "0abcd0", 0xCDAB),
        ("v::uint:16::3", "0abcd0", 0xABCD),
        ("v::uint:4:little-endian:3", "0a", 0xA),
        ("v::int:16", "ff38", -200),
        ("v::int:16:little-endian", "38ff", -200),
        ("v::int:4:3", "0f", -1),
        ("v::int:4:3", "07", 7),
        ("v::int:1", "80", -1),
        ("v::int:64", "8000000000000000", -(2**63)),
        ("v::int:64", "7fffffffffffffff", 2**63 - 1),
        ("v::int:12:little-endian", "fff0", -1),
        ("v::int:12:little-endian", "0080", -2048),
        ("v::int:12:little-endian", "ff00", 255),
        ("v::float:32", "3fc00000", 1.5),
        ("v::float:32:little-endian", "0000c03f", 1.5),
        ("v::float:32:3", "03fc000000", 1.5),
        ("v::float:64", "400921fb54442d18", math.pi),
        ("v::float:64:little-endian", "182d4454fb210940", math.pi),
        ("v::float:32", "c2f6e979", -123.45600128173828),
        ("v::bool:0", "01", True),
        ("v::bool:7", "7f", False),
        ("v::char:3", "41005c", "A\x00\\"),
        ("v::char:2:3", "041420", "AB"),
        ("v::char:1", "ff", "\xff"),
        ("v::char:4", "0a7f80e9", "\n\x7f\x80é"),
        ("v::uint:16:", "1234", 0x1234),
        ("v::int:16:", "ff38", -200),
        ("v::float:32:", "3fc00000", 1.5),
        ("v::uint:10::3", "0abc", 0x2AF),
    ],
)
def test_each_type_reads_its_bits(config: str, frame: str, expected: Value) -> None:
    value = decoded(config, frame)["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_non_finite_floats_are_decoded_as_such() -> None:
    assert decoded("v::float:32", "7f800000")["v"] == math.inf
    assert decoded("v::float:64", "fff0000000000000")["v"] == -math.inf
    assert math.isnan(decoded("v::float:32", "7fc00000")["v"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "config",
    [
        "a::uint:8\nb::uint:8",
        "  a::uint:8   b::uint:8 ",
        "a::uint:8\tb::uint:8",
    ],
)
def test_fields_are_separated_by_any_whitespace(config: str) -> None:
    assert decoded(config, "0102") == {"a": 1, "b": 2}


def test_names_take_letters_digits_hash_underscore_and_dash() -> None:
    assert decoded("Temp_1#in-C::int:8 9::bool:0", "ff01") == {"Temp_1#in-C": -1, "9": True}


def test_a_codec_knows_its_size_and_fields() -> None:
    codec = compile("b1::bool:7 b2::bool:6 i1:1:uint:16:little-endian")
    assert codec.size == 3
    assert [(f.name, f.type, f.start, f.bits) for f in codec.fields] == [
        ("b1", "bool:7", 0, 1),
        ("b2", "bool:6", 1, 1),
        ("i1", "uint:16:little-endian", 8, 16),
    ]


def test_compile_is_cached_and_parse_is_not() -> None:
    config = "cached::uint:8"
    assert compile(config) is compile(config)
    assert parse(config) is not parse(config)
    assert parse(config) == compile(config)


def test_bytes_past_the_config_are_ignored() -> None:
    assert decoded("a::uint:8", "01ffffff") == {"a": 1}


def test_an_empty_endianness_is_no_bit_offset() -> None:
    # Like ``uint:4``, ``uint:4:`` moves the next field to the next byte.
    assert decoded("a::uint:4: b::uint:4", "1234") == {"a": 0x1, "b": 0x3}


def test_a_name_used_again_is_the_later_fields() -> None:
    assert decoded("a::uint:8 a::uint:8", "0102") == {"a": 2}
    codec = compile("x::char:1 y::uint:8 x::int:8")
    assert [f.name for f in codec.fields] == ["y", "x"]
    assert decoded("x::char:1 y::uint:8 x::int:8", "4102ff") == {"y": 2, "x": -1}
    # The earlier field only places the current byte: it is not read, written or counted.
    assert compile("x:9:uint:8 x:0:uint:8").size == 1
    assert compile("x::char:1 x::uint:8").encode({"x": 7}).hex() == "0007"


@pytest.mark.parametrize(
    ("config", "frame", "values", "shortfall"),
    [
        # uint and int keep the bits the frame holds, read as an integer of that many bits.
        ("v:1:uint:16", "00ab", {"v": 0xAB}, "'v' keeps 8 of its 16 bits"),
        ("v::uint:32", "123456", {"v": 0x123456}, "'v' keeps 24 of its 32 bits"),
        ("v::uint:32:little-endian", "123456", {"v": 0x563412}, "'v' keeps 24 of its 32 bits"),
        ("v::uint:12:3", "ab", {"v": 0xB}, "'v' keeps 4 of its 12 bits"),
        ("v::uint:16::3", "0abc", {"v": 0xABC}, "'v' keeps 12 of its 16 bits"),
        ("v::uint:16:little-endian:3", "0abc", {"v": 0xCAB}, "'v' keeps 12 of its 16 bits"),
        ("v::int:16", "ff", {"v": -1}, "'v' keeps 8 of its 16 bits"),
        ("v::int:16", "7f", {"v": 127}, "'v' keeps 8 of its 16 bits"),
        ("v::int:32:little-endian", "38ff", {"v": -200}, "'v' keeps 16 of its 32 bits"),
        ("v::int:8:3", "0f", {"v": -1}, "'v' keeps 4 of its 8 bits"),
        ("v::int:64:little-endian", "ff7f", {"v": 0x7FFF}, "'v' keeps 16 of its 64 bits"),
        # char keeps its whole bytes; without one, it is left out.
        ("v::char:4", "410042", {"v": "A\x00B"}, "'v' keeps 24 of its 32 bits"),
        ("v::char:3:3", "0414", {"v": "A"}, "'v' keeps 8 of its 24 bits"),
        (
            "v::char:2:3",
            "04",
            {},
            "'v' is left out, a char:2:3 needs 16 bits and the frame holds 4",
        ),
        # float and bool are left out unless whole.
        (
            "v::float:32",
            "3fc000",
            {},
            "'v' is left out, a float:32 needs 32 bits and the frame holds 24",
        ),
        (
            "v::float:64:little-endian:0",
            "00" * 8,
            {},
            "'v' is left out, a float:64:little-endian:0 needs 64 bits and the frame holds 57",
        ),
        # A field that starts past the frame is left out, whatever its type.
        ("a::uint:8 v::bool:7", "01", {"a": 1}, "'v' is left out, it starts past the end"),
        ("a::uint:8 v::uint:8", "01", {"a": 1}, "'v' is left out, it starts past the end"),
        ("a::uint:8 v::char:2", "01", {"a": 1}, "'v' is left out, it starts past the end"),
        ("v:11:uint:16", "", {}, "'v' is left out, it starts past the end"),
    ],
)
def test_a_short_frame_gives_what_it_holds_and_names_the_rest(
    config: str, frame: str, values: dict[str, Value], shortfall: str
) -> None:
    codec = compile(config)
    reading = codec.decode(bytes.fromhex(frame))
    assert reading.values == values
    assert [type(v) for v in reading.values.values()] == [type(v) for v in values.values()]
    assert reading.warning == (
        f"the frame has {len(frame) // 2} of the {codec.size} bytes the payload config reads: "
        f"{shortfall}"
    )


def test_uint_16_at_the_last_byte_of_a_twelve_byte_frame_is_that_byte() -> None:
    frame = bytes(range(11)) + b"\xc8"
    assert compile("v:11:uint:16").decode(frame).values == {"v": 200}
    assert compile("v:11:uint:16:little-endian").decode(frame).values == {"v": 200}
    assert compile("v:11:int:16").decode(frame).values == {"v": -56}


def test_every_field_the_frame_does_not_hold_is_in_the_warning_in_config_order() -> None:
    reading = compile("a::uint:8 b::uint:16 c::float:32 d::bool:0").decode(bytes.fromhex("0102"))
    assert reading == Reading(
        {"a": 1, "b": 2},
        "the frame has 2 of the 8 bytes the payload config reads: 'b' keeps 8 of its 16 bits; "
        "'c' is left out, it starts past the end; 'd' is left out, it starts past the end",
    )


@pytest.mark.parametrize(
    ("config", "position", "message"),
    [
        ("", 0, "the config has no field"),
        ("   ", 0, "the config has no field"),
        ("temp", 4, "expected name:byte_index:type"),
        ("a::uint:8 b:1", 13, "expected name:byte_index:type"),
        ("::uint:8", 0, "a field needs a name"),
        ("a::uint:8 te.mp::uint:8", 12, "'.' in a field name"),
        ("a:x:uint:8", 2, "the byte index is 0 to 255, not 'x'"),
        (f"a:{MAX_SIZE}:uint:8", 2, "the byte index is 0 to 255"),
        ("a:-1:uint:8", 2, "the byte index"),
        ("a::unit:8", 3, "unknown type 'unit'"),
        ("a::UINT:8", 3, "unknown type"),
        ("a::bool", 7, "bool takes the bit position, 0 to 7"),
        ("a::bool:8", 8, "the bit position is 0 to 7, not '8'"),
        ("a::bool:7:1", 10, "bool takes the bit position"),
        ("a::char", 7, "char takes a length"),
        ("a::char:0", 8, "the length is 1 to 256, not '0'"),
        ("a::char:2:8", 10, "the bit offset is 0 to 7, not '8'"),
        ("a::char:2:little-endian", 10, "the bit offset"),
        ("a::char:2:3:4", 12, "char takes a length and optionally a bit offset"),
        ("a::uint", 7, "uint takes a size"),
        ("a::uint:0", 8, "uint has 1 to 64 bits, not '0'"),
        ("a::int:65", 7, "int has 1 to 64 bits, not '65'"),
        ("a::uint:x", 8, "uint has 1 to 64 bits, not 'x'"),
        ("a::float:16", 9, "float has 32 or 64 bits, not '16'"),
        ("a::uint:8:little", 10, "expected little-endian, big-endian or a bit offset"),
        ("a::uint:8:middle-endian:3", 10, "expected little-endian or big-endian"),
        ("a::uint:8::", 11, "the bit offset is 0 to 7, not ''"),
        ("a::uint:8:big-endian:9", 21, "the bit offset is 0 to 7, not '9'"),
        ("a::uint:8:big-endian:3:1", 23, "uint takes a size, an endianness and a bit offset"),
        ("x::bool:0 a:255:uint:16", 10, "field 'a' ends in byte 256"),
        ("a:250:char:7", 0, "ends in byte 256, past the 256 a config may read"),
        ("a:255:uint:1:0 b::uint:8:0", 15, "field 'b' ends in byte 256"),
        ("a::uint:" + "9" * 5000, 8, "uint has 1 to 64 bits"),
    ],
)
def test_a_bad_config_is_refused_at_its_position(config: str, position: int, message: str) -> None:
    with pytest.raises(InvalidPayloadConfig, match=message) as caught:
        compile(config)
    assert caught.value.position == position
    assert caught.value.message.startswith(f"invalid payload config at position {position}: ")
    assert caught.value.code == "invalid_payload_config"
    assert isinstance(caught.value, InvalidInput)


def test_the_largest_config_reads_max_size_bytes() -> None:
    codec = compile("a:255:uint:8 b:248:char:7")
    assert codec.size == MAX_SIZE
    assert codec.decode(codec.encode({"a": 7, "b": "abcdefg"})) == Reading({"a": 7, "b": "abcdefg"})


def test_encode_writes_the_seed_example_frames() -> None:
    for config, frame, values in SEED_EXAMPLES:
        assert compile(config).encode(values) == bytes.fromhex(frame)


def test_encode_leaves_uncovered_bits_zero_and_later_fields_win() -> None:
    assert compile("a::bool:7 b:2:uint:8").encode({"a": True, "b": 255}).hex() == "8000ff"
    assert compile("a::uint:8 b:0:uint:4").encode({"a": 0xFF, "b": 0x0}).hex() == "0f"


@pytest.mark.parametrize(
    ("config", "values", "message"),
    [
        ("a::uint:8", {}, "no value for field 'a'"),
        ("a::uint:8", {"a": 1, "z": 2}, "no field named 'z'"),
        ("a::uint:8", {"a": 256}, "expected an integer from 0 to 255"),
        ("a::uint:8", {"a": -1}, "expected an integer from 0 to 255"),
        ("a::uint:8", {"a": True}, "expected an integer"),
        ("a::uint:8", {"a": 1.0}, "expected an integer"),
        ("a::int:4", {"a": 8}, "expected an integer from -8 to 7"),
        ("a::int:4", {"a": -9}, "expected an integer from -8 to 7"),
        ("a::bool:7", {"a": 1}, "expected a bool"),
        ("a::float:32", {"a": "1.5"}, "expected a number"),
        ("a::float:32", {"a": False}, "expected a number"),
        ("a::float:32", {"a": 1e39}, "a number a 32-bit float can hold"),
        ("a::char:2", {"a": "ABC"}, "text of exactly 2 latin-1 characters"),
        ("a::char:2", {"a": 12}, "text of exactly 2 latin-1 characters"),
        ("a::char:2", {"a": "€!"}, "text of exactly 2 latin-1 characters"),
    ],
)
def test_encode_refuses_bad_values(config: str, values: dict[str, Value], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        compile(config).encode(values)


def test_encode_takes_ints_for_floats() -> None:
    codec = compile("a::float:64")
    assert codec.decode(codec.encode({"a": 3})) == Reading({"a": 3.0})
