from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from foxden.cli import app

runner = CliRunner()

SEED_EXAMPLE = "b1::bool:7 b2::bool:6 i1:1:uint:16:little-endian i2::uint:8"


def test_decode_prints_a_table_of_fields() -> None:
    result = runner.invoke(app, ["decode", SEED_EXAMPLE, "80123456"])
    assert result.exit_code == 0, result.output
    rows = [line.split("│")[1:4] for line in result.stdout.splitlines() if line.count("│") == 4]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["b1", "bool:7", "true"],
        ["b2", "bool:6", "false"],
        ["i1", "uint:16:little-endian", "13330"],
        ["i2", "uint:8", "86"],
    ]


def test_decode_json_prints_exactly_one_object() -> None:
    config = "s::char:3 t::int:16 f::float:32 g::float:32"
    result = runner.invoke(app, ["decode", config, "41005cff387fc00000ff800000", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {"s": "A\x00\\", "t": -200, "f": "NaN", "g": "-Infinity"}
    assert lines[0].startswith('{"s": "A\\u0000\\\\", ')
    assert result.stderr == ""


def test_decode_keeps_64_bit_integers_exact_in_json() -> None:
    result = runner.invoke(
        app, ["decode", "u::uint:64 i::int:64", "ff" * 8 + "80" + "00" * 7, "--json"]
    )
    assert json.loads(result.stdout) == {"u": 2**64 - 1, "i": -(2**63)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a::uint:8 [b]::uint:8", "0102"], "invalid payload config at position 10: '['"),
        (["a::uint:8", "0g"], "invalid frame '0g': expected hex digits"),
        (["a::uint:8", "012"], "invalid frame '012'"),
    ],
)
def test_decode_errors_go_to_stderr_with_exit_code_1(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["decode", *args])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.output


SHORT_FRAME_WARNING = (
    "warning: the frame has 2 of the 4 bytes the payload config reads: 'b' keeps 8 of its 16 "
    "bits; 'c' is left out, it starts past the end"
)


def test_decode_json_gives_what_a_short_frame_holds_and_warns_on_stderr() -> None:
    result = runner.invoke(app, ["decode", "a::uint:8 b::uint:16 c::bool:0", "01ff", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"a": 1, "b": 255}
    assert " ".join(result.stderr.split()) == SHORT_FRAME_WARNING


def test_decode_table_shows_the_fields_a_short_frame_holds() -> None:
    result = runner.invoke(app, ["decode", "a::uint:8 b::uint:16 c::bool:0", "01ff"])
    assert result.exit_code == 0, result.output
    rows = [line.split("│")[1:4] for line in result.stdout.splitlines() if line.count("│") == 4]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["a", "uint:8", "1"],
        ["b", "uint:16", "255"],
    ]
    assert " ".join(result.stderr.split()) == SHORT_FRAME_WARNING
