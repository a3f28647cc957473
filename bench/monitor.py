"""What does one look of the silence monitor cost over a large fleet?

The monitor (``foxden.monitor``) looks every ``monitor_interval_s`` for devices past their
keepAlive (an index range on ``devices.silence_at``) and for silent base stations. Most looks
find nothing, so their cost is what the server pays all the time; a look that finds many lost
devices raises one ERROR status event each, and a station outage one WARN event listing every
device the station last heard. This script seeds a fresh database with ``--devices`` devices of
one device type (keepAlive 60 min, one URL callback for ERROR events), each with one message
heard by one of ``--stations`` stations, bulk-inserted through SQLAlchemy Core, then measures in
the same run, over ``--rounds`` rounds:

- **raw**: the monitor's due-device SELECT on the driver (``sqlite3`` or ``asyncpg``), nothing
  due: the floor of a look;
- **empty write**: ``Database.write`` of a body that runs ``SELECT 1`` (with no statement at
  all, PostgreSQL would not even begin a transaction): the floor of any transaction through
  foxden's writer, the baseline of the ratios;
- **tick, nothing due**, **tick, ``--due`` of the fleet due** (1% by default: each round moves
  the clock so that the next slice of devices is due) and **tick, one station down** (its
  devices get one WARN event).

Each tick is checked (how many devices lost, stations down, events raised). What leaves nothing
behind (raw, empty write, nothing due) is timed ``REPEAT`` times per round. The table gives the
medians over rounds in ms and the ratios to the empty write; the query plans are printed once.

    .venv/bin/python bench/monitor.py [--devices N] [--due F] [--stations N] [--rounds N]
                                      [--postgres [URL]]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed
import uvloop
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Connection, Executable, insert, select, text, update
from sqlalchemy import Table as SqlTable
from sqlalchemy.engine import make_url

from foxden.config import Settings
from foxden.domain.callbacks import ERROR_SUBTYPE, CallbackType
from foxden.monitor.monitor import Monitor, Tick
from foxden.storage import callbacks, device_types, devices, groups, stations
from foxden.storage import tables as t
from foxden.storage.db import Database
from foxden.storage.migrate import open_database
from groups import postgres_database

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
KEEP_ALIVE_MIN = 60
MINUTE = 60_000
STEP_MS = 10  # device n's keepAlive runs out STEP_MS after device n - 1's
SEED_CHUNK = 10_000
FIRST_DEVICE = 0x100000
REPEAT = 21  # timed calls per round of what can be repeated


@dataclass(frozen=True)
class Fleet:
    device_type_id: str
    station_ids: tuple[str, ...]
    devices: int
    base: int  # device n was last heard at base + n * STEP_MS

    def silence_at(self, n: int) -> int:
        return self.base + n * STEP_MS + KEEP_ALIVE_MIN * MINUTE


# --- seeding -------------------------------------------------------------------------


def _provision(conn: Connection, station_count: int) -> tuple[str, tuple[str, ...]]:
    group = groups.create(conn, "Bench")
    device_type = device_types.create(conn, group.id, "Bench meter", keep_alive=KEEP_ALIVE_MIN)
    callbacks.create(
        conn,
        device_type.id,
        "URL",
        CallbackType.ERROR,
        ERROR_SUBTYPE,
        settings={"url": "http://127.0.0.1:9/lost?d={device}", "httpMethod": "GET"},
    )
    made = tuple(
        stations.create(conn, f"Bench station {n}", f"bench-digest-{n}").id
        for n in range(station_count)
    )
    return device_type.id, made


def _insert(conn: Connection, table: SqlTable, rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(table), rows)


def _rows(fleet: Fleet, start: int, stop: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """The devices ``start`` to ``stop``, their messages, then their receptions."""
    numbers = range(start, stop)
    yield (
        "devices",
        [
            {
                "id": f"{FIRST_DEVICE + n:X}", "device_type_id": fleet.device_type_id,
                "name": f"Meter {n}", "pac": "0" * 16, "state": 0, "prevent_renewal": False,
                "sequence_epoch": 0, "link_window": [], "soracom_status": "ready", "tags": {},
                "termination_enabled": False, "created_at": fleet.base, "modified_at": fleet.base,
                "last_seen_at": fleet.base + n * STEP_MS, "last_seq_number": 1,
                "last_message_id": n + 1, "silence_at": fleet.silence_at(n),
            }
            for n in numbers
        ],
    )  # fmt: skip
    yield (
        "messages",
        [
            {
                "id": n + 1, "device_id": f"{FIRST_DEVICE + n:X}",
                "device_type_id": fleet.device_type_id, "time": fleet.base + n * STEP_MS,
                "seq_number": 1, "kind": "data", "data": "0102", "ack": False, "stations": 1,
                "forwarded": True,
            }
            for n in numbers
        ],
    )  # fmt: skip
    yield (
        "receptions",
        [
            {
                "message_id": n + 1,
                "station_id": fleet.station_ids[n % len(fleet.station_ids)],
                "time": fleet.base + n * STEP_MS,
            }
            for n in numbers
        ],
    )


async def seed(db: Database, args: argparse.Namespace, console: Console) -> Fleet:
    began = time.monotonic()
    device_type_id, station_ids = await db.write(_provision, args.stations)
    # Heard an hour before the first keepAlive runs out: nothing is due at the start.
    fleet = Fleet(device_type_id, station_ids, args.devices, int(time.time() * 1000) - MINUTE)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("seeding", total=args.devices)
        for start in range(0, args.devices, SEED_CHUNK):
            stop = min(start + SEED_CHUNK, args.devices)
            for name, rows in _rows(fleet, start, stop):
                await db.write(_insert, t.metadata.tables[name], rows)
            progress.update(task, completed=stop)
    if db.dialect == "postgresql":
        await db.write(
            lambda conn: conn.execute(
                text("SELECT setval(pg_get_serial_sequence('messages', 'id'), :n)"),
                {"n": args.devices},
            )
        )
        for name in ("devices", "messages", "receptions"):
            await db.write(lambda conn, name=name: conn.execute(text(f"ANALYZE {name}")))
    console.print(
        f"{args.devices:,} devices, messages and receptions seeded in"
        f" {time.monotonic() - began:.1f} s"
    )
    return fleet


# --- plans and the raw query ---------------------------------------------------------


def _sql(conn: Connection, statement: Executable) -> str:
    return str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _plans(conn: Connection, fleet: Fleet) -> dict[str, list[str]]:
    due = _sql(conn, devices.DUE.params(now=fleet.base, limit=1000))
    heard = _sql(conn, devices.LAST_HEARD_BY.params(station_id=fleet.station_ids[0]))
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    return {
        label: [str(row[-1]) for row in conn.exec_driver_sql(explain + sql)]
        for label, sql in (("due devices", due), ("devices last heard by a station", heard))
    }


async def raw_due_ms(db: Database, fleet: Fleet, rounds: int) -> list[float]:
    """Milliseconds of the due SELECT on the driver, nothing due: best of 100 per round."""
    sql = await db.read(_sql, devices.DUE.params(now=fleet.base, limit=1000))
    samples: list[float] = []
    if db.dialect == "sqlite":
        conn = sqlite3.connect(make_url(db.url).database or "")
        try:
            for _ in range(rounds):
                samples.append(_best(lambda: conn.execute(sql).fetchall()))
        finally:
            conn.close()
        return samples
    pg = await asyncpg.connect(make_url(db.url).set(drivername="postgresql").render_as_string(
        hide_password=False))  # fmt: skip
    try:
        prepared = await pg.prepare(sql)
        for _ in range(rounds):
            best = float("inf")
            for _ in range(100):
                began = time.perf_counter()
                await prepared.fetch()
                best = min(best, (time.perf_counter() - began) * 1000)
            samples.append(best)
    finally:
        await pg.close()
    return samples


def _best(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(100):
        began = time.perf_counter()
        run()
        best = min(best, (time.perf_counter() - began) * 1000)
    return best


# --- the ticks -----------------------------------------------------------------------


async def timed(call: Callable[[], Awaitable[Tick | None]]) -> tuple[float, Tick | None]:
    began = time.perf_counter()
    result = await call()
    return (time.perf_counter() - began) * 1000, result


async def repeated(call: Callable[[], Awaitable[Tick | None]]) -> float:
    """The median of ``REPEAT`` timed calls, for what leaves nothing behind."""
    return statistics.median([(await timed(call))[0] for _ in range(REPEAT)])


def _station_silent(conn: Connection, station_id: str, heard: int) -> None:
    conn.execute(
        update(t.stations)
        .where(t.stations.c.id == station_id)
        .values(last_heard_at=heard, down_since=None)
    )


def _count_events(conn: Connection) -> int:
    return len(conn.execute(select(t.status_events.c.id)).all())


async def run(
    db: Database, settings: Settings, args: argparse.Namespace, console: Console
) -> dict[str, list[float]]:
    fleet = await seed(db, args, console)
    for label, plan in (await db.read(_plans, fleet)).items():
        console.print(f"plan, {label}: {' | '.join(plan)}")
    clock = _Clock(fleet.base)
    monitor = Monitor(db, settings, clock=clock)
    due = max(1, round(args.devices * args.due))
    if due * args.rounds > args.devices:
        raise SystemExit("--due x --rounds is more than the fleet")
    samples: dict[str, list[float]] = {
        "raw due SELECT (driver)": await raw_due_ms(db, fleet, args.rounds)
    }
    down_station = fleet.station_ids[0]
    concerned = len(range(0, args.devices, len(fleet.station_ids)))

    async def empty() -> None:
        await db.write(lambda conn: conn.execute(text("SELECT 1")))

    for n in range(args.rounds):
        # This round's slice of devices is due: the next `due` deadlines.
        clock.now = fleet.silence_at((n + 1) * due - 1)
        samples.setdefault("empty Database.write", []).append(await repeated(empty))
        ms, tick = await timed(monitor.tick)
        _check(tick, lost=due, down=0, warnings=0, what=f"round {n + 1}, {due} due")
        samples.setdefault(f"tick, {due:,} due ({args.due:.0%})", []).append(ms)
        ms, tick = await timed(monitor.tick)
        _check(tick, lost=0, down=0, warnings=0, what=f"round {n + 1}, nothing due")
        samples.setdefault("tick, nothing due", []).append(await repeated(monitor.tick))
        await db.write(_station_silent, down_station, clock.now - 3600_000)
        ms, tick = await timed(monitor.tick)
        _check(tick, lost=0, down=1, warnings=1, what=f"round {n + 1}, station down")
        samples.setdefault(f"tick, 1 station down ({concerned:,} devices warned)", []).append(ms)
        console.print(f"round {n + 1} done")
    raised = await db.read(_count_events)
    if raised != args.rounds * (due + 1):
        raise SystemExit(f"{raised} status events, expected {args.rounds * (due + 1)}")
    return samples


@dataclass
class _Clock:
    now: int

    def __call__(self) -> int:
        return self.now


def _check(tick: Tick | None, *, lost: int, down: int, warnings: int, what: str) -> None:
    assert tick is not None
    got = (len(tick.lost), len(tick.errors), len(tick.down), len(tick.warnings))
    if got != (lost, lost, down, warnings):
        expected = (lost, lost, down, warnings)
        raise SystemExit(f"{what}: lost/errors/down/warnings {got}, expected {expected}")


def report(console: Console, samples: dict[str, list[float]], title: str) -> None:
    table = Table(title=title)
    for column in ("what", "ms (median)", "min-max", "vs empty write"):
        table.add_column(column, justify="left" if column == "what" else "right")
    floor = statistics.median(samples["empty Database.write"])
    order = sorted(samples, key=lambda label: statistics.median(samples[label]))
    for label in order:
        runs = samples[label]
        median = statistics.median(runs)
        table.add_row(
            label,
            f"{median:,.3f}",
            f"{min(runs):,.3f}-{max(runs):,.3f}",
            f"{median / floor:,.2f}x",
        )
    console.print(table)


async def bench(database_url: str, args: argparse.Namespace, console: Console) -> None:
    settings = Settings(database_url=database_url, demo=False, station_silence_s=1800)
    db = await open_database(settings)
    try:
        samples = await run(db, settings, args, console)
    finally:
        await db.close()
    engine = "PostgreSQL" if db.dialect == "postgresql" else f"SQLite {sqlite3.sqlite_version}"
    report(
        console,
        samples,
        f"silence monitor, {engine}, {args.devices:,} devices, {args.stations} stations;"
        f" median of {args.rounds} rounds",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="the cost of one look of the silence monitor")
    parser.add_argument("--devices", type=int, default=100_000, help="fleet size (100000)")
    parser.add_argument("--due", type=float, default=0.01, help="share due per round (0.01)")
    parser.add_argument("--stations", type=int, default=10, help="stations (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (3)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"on PostgreSQL instead of SQLite; a maintenance URL (default {DEFAULT_POSTGRES}):"
        " a fresh database is created next to it and dropped at the end",
    )
    args = parser.parse_args()
    console = Console(width=None if Console().is_terminal else 120)
    console.print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with ExitStack() as stack:
        if args.postgres:
            database_url = stack.enter_context(postgres_database(args.postgres))
        else:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="foxden-bench-"))
            database_url = f"sqlite:///{workdir}/monitor.sqlite3"
        uvloop.run(bench(database_url, args, console))
    console.print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
