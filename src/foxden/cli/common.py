"""What every command shares: settings from the environment, a migrated database, output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Connection

from foxden.config import Settings
from foxden.domain.errors import FoxdenError
from foxden.storage.migrate import open_database

P = ParamSpec("P")
T = TypeVar("T")

# Off a terminal (a pipe, a log file) nothing reads lines at 80 columns: print them whole.
_WIDTH = None if sys.stdout.isatty() else 1000
console = Console(width=_WIDTH)
errors = Console(stderr=True, width=_WIDTH)


def settings(**flags: Any) -> Settings:
    """Settings from ``FOXDEN_*`` variables and the flags given (None: not given), or exit
    code 2 with one line per wrong value, naming it as the user wrote it."""
    given = {name: value for name, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0])
            where = f"--{name.replace('_', '-')}" if name in given else f"FOXDEN_{name.upper()}"
            # pydantic's own words, without its class names: "Input should be ...".
            text = error["msg"].removeprefix("Value error, ").removeprefix("Input ")
            errors.print(f"[red]invalid configuration:[/red] {escape(where)}: {escape(text)}")
        raise typer.Exit(2) from None


def write(body: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``body`` in one write transaction on the migrated database of the settings."""

    async def run() -> T:
        db = await open_database(settings())
        try:
            return await db.write(body, *args, **kwargs)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except FoxdenError as exc:
        errors.print(f"[red]error:[/red] {escape(exc.message)}")
        raise typer.Exit(1) from exc


def emit(result: dict[str, Any], as_json: bool) -> None:
    """Print ``result``: exactly one JSON object with ``--json``, else a readable listing."""
    if as_json:
        print(json.dumps(result))  # noqa: T201 - stdout is the interface here
        return
    for key, value in result.items():
        console.print(f"[bold]{key}[/bold]: {escape(str(value))}")
