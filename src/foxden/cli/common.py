"""What every command shares: settings from the environment, a migrated database, output."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Connection

from foxden.config import Settings
from foxden.domain.errors import FoxdenError
from foxden.storage.migrate import open_database

P = ParamSpec("P")
T = TypeVar("T")

console = Console()
errors = Console(stderr=True)


def settings() -> Settings:
    """Settings from ``FOXDEN_*`` variables, or a clear message and exit code 2."""
    try:
        return Settings()
    except ValueError as exc:
        errors.print(f"[red]invalid configuration:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc


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
