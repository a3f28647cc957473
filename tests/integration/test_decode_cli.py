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
    assert json.loads(lines[0]) == {"s": "A\\x00\\\\", "t": -200, "f": "NaN", "g": "-Infinity"}


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
        (["a::uint:16", "01", "--json"], "the payload config reads 2 bytes, the frame has only 1"),
    ],
)
def test_decode_errors_go_to_stderr_with_exit_code_1(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["decode", *args])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.output
