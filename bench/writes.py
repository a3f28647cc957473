"""What does foxden's SQLite write path cost per row, and how much does group commit buy back?

Every foxden write goes through ``Database.write``: the transaction body is handed to the one
SQLite writer thread, runs through SQLAlchemy Core, and the caller resumes on the event loop
once it is committed; concurrent writes are committed together (group commit). This script puts
figures on that design, on a temporary file migrated with foxden's schema, one small ``groups``
row per write: (a) the floor of the cost, plain ``sqlite3`` with foxden's pragmas and one
``BEGIN IMMEDIATE`` / INSERT / ``COMMIT`` per row, with no thread hop and no SQLAlchemy; (b)
``Database.write`` called by C concurrent asyncio tasks, as the HTTP server would under load; (c)
``Database.write`` awaited one call at a time, so every row pays a whole commit and a round trip
to the writer thread. Each measurement gets a fresh file; the modes take turns over the rounds
and the table shows medians and ratios to (a).

    .venv/bin/python bench/writes.py [--rows N] [--concurrency C] [--rounds R]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvloop
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Connection, insert

from foxden.config import Settings
from foxden.storage import tables
from foxden.storage.db import _SQLITE_PRAGMAS
from foxden.storage.migrate import open_database

CREATED_AT = 1_700_000_000_000
INSERT_SQL = (
    "INSERT INTO groups (id, name, description, billable, bss_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def _row(n: int) -> dict[str, Any]:
    """The n-th bench row: a small group, ids increasing like foxden's object ids."""
    return {
        "id": f"{n:024x}",
        "name": f"bench group {n}",
        "description": "",
        "billable": False,
        "bss_id": None,
        "created_at": CREATED_AT + n,
    }


async def _migrated(path: Path) -> str:
    """A new SQLite file at ``path`` holding foxden's schema and no rows; its URL."""
    url = f"sqlite:///{path}"
    db = await open_database(Settings(database_url=url, demo=False))
    await db.close()
    return url


# --- (a) plain sqlite3 ------------------------------------------------------------


async def plain_sqlite(url: str, rows: int, _concurrency: int) -> float:
    """Seconds to insert ``rows`` rows with sqlite3, one transaction each."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        for pragma in _SQLITE_PRAGMAS:
            conn.execute(pragma)
        start = time.perf_counter()
        for n in range(rows):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(INSERT_SQL, tuple(_row(n).values()))
            conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


# --- (b), (c) Database.write --------------------------------------------------------


def _insert_group(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(tables.groups).values(**row))


async def concurrent_writes(url: str, rows: int, concurrency: int) -> float:
    """Seconds for ``concurrency`` tasks to write ``rows`` rows, one ``Database.write`` each."""
    db = await open_database(Settings(database_url=url, demo=False))
    try:
        numbers = iter(range(rows))

        async def writer() -> None:
            for n in numbers:  # shared iterator: each row is written once, by some task
                await db.write(_insert_group, _row(n))

        start = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(concurrency)))
        return time.perf_counter() - start
    finally:
        await db.close()


async def sequential_writes(url: str, rows: int, _concurrency: int) -> float:
    """Seconds to write ``rows`` rows awaiting each ``Database.write`` before the next."""
    db = await open_database(Settings(database_url=url, demo=False))
    try:
        start = time.perf_counter()
        for n in range(rows):
            await db.write(_insert_group, _row(n))
        return time.perf_counter() - start
    finally:
        await db.close()


# --- driver -----------------------------------------------------------------------

Mode = Callable[[str, int, int], Awaitable[float]]


def _count_rows(url: str) -> int:
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        count: int = conn.execute("SELECT count(*) FROM groups").fetchone()[0]
        return count
    finally:
        conn.close()


async def run(args: argparse.Namespace, console: Console) -> None:
    modes: list[tuple[str, Mode]] = [
        ("(a) sqlite3, 1 commit per row", plain_sqlite),
        (f"(b) Database.write, {args.concurrency} tasks", concurrent_writes),
        ("(c) Database.write, 1 at a time", sequential_writes),
    ]
    samples: dict[str, list[float]] = {label: [] for label, _ in modes}
    with (
        tempfile.TemporaryDirectory(prefix="foxden-bench-") as workdir,
        Progress(console=console, transient=True) as progress,
    ):
        task = progress.add_task("writing", total=args.rounds * len(modes))
        for n in range(args.rounds):
            shift = n % len(modes)  # rotate the order so drift in load spreads over all modes
            for label, mode in modes[shift:] + modes[:shift]:
                progress.update(task, description=f"round {n + 1}: {label}")
                url = await _migrated(Path(workdir) / f"r{n}-{mode.__name__}.sqlite3")
                seconds = await mode(url, args.rows, args.concurrency)
                written = _count_rows(url)
                if written != args.rows:
                    raise SystemExit(f"{label}: {written} rows in the file, not {args.rows}")
                samples[label].append(args.rows / seconds)
                progress.advance(task)
                console.print(f"round {n + 1}  {label:<36} {args.rows / seconds:>9,.0f} rows/s")

    table = Table(
        title=f"{args.rows:,} rows per measurement, {args.rounds} rounds, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (median of rounds)"
    )
    for column in ("write path", "rows/s", "min-max", "vs (a)"):
        table.add_column(column, justify="left" if column == "write path" else "right")
    floor = statistics.median(samples[modes[0][0]])
    for label, _ in modes:
        runs = samples[label]
        rate = statistics.median(runs)
        spread = f"{min(runs):,.0f}-{max(runs):,.0f}"
        table.add_row(label, f"{rate:,.0f}", spread, f"{rate / floor:.3f}x")
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description="foxden's SQLite write path vs plain sqlite3")
    parser.add_argument("--rows", type=int, default=10_000, help="rows per measurement")
    parser.add_argument("--concurrency", type=int, default=64, help="tasks writing in (b)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()
    uvloop.run(run(args, Console()))  # the event loop foxden runs on under uvicorn


if __name__ == "__main__":
    main()
