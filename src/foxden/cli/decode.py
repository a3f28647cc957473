"""``foxden decode``: what a payload config makes of a frame, with no server and no database.

It is the quickest way to check a config before storing it on a device type or a callback, so it
answers as the server does: the position of a config error, or the warning the message would
be stored with when the frame cuts fields short or leaves them out.
"""

from __future__ import annotations

import json
import math
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from foxden.cli.common import console, errors
from foxden.domain.codec import Value, compile
from foxden.domain.errors import FoxdenError, InvalidInput


def decode(
    config: Annotated[
        str,
        typer.Argument(metavar="CONFIG", help="A payload config, e.g. 'temp::int:16 rh::uint:8'."),
    ],
    frame: Annotated[str, typer.Argument(metavar="HEX", help="The frame in hex, e.g. ff3832.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
) -> None:
    """Decode a frame with a Custom payload config (seed 002's grammar)."""
    try:
        codec = compile(config)
        reading = codec.decode(_bytes(frame))
    except FoxdenError as exc:
        errors.print(f"[red]error:[/red] {escape(exc.message)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    if reading.warning is not None:
        errors.print(f"[yellow]warning:[/yellow] {escape(reading.warning)}", soft_wrap=True)
    if as_json:
        result = {name: _json(value) for name, value in reading.values.items()}
        print(json.dumps(result, allow_nan=False))  # noqa: T201 - stdout is the interface here
        return
    table = Table("field", "type", "value")
    for field in codec.fields:
        if field.name in reading.values:
            table.add_row(
                Text(field.name), Text(field.type), Text(_shown(reading.values[field.name]))
            )
    console.print(table)


def _bytes(frame: str) -> bytes:
    try:
        return bytes.fromhex(frame)
    except ValueError as exc:
        raise InvalidInput(f"invalid frame {frame!r}: expected hex digits, two per byte") from exc


def _json(value: Value) -> Value:
    """``value``, with a float JSON cannot hold as JavaScript names it: NaN, ±Infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _shown(value: Value) -> str:
    """``value`` as JSON writes it, so text shows its quotes and flags read true/false."""
    return json.dumps(value)
