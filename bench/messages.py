"""S8: how fast are message pages over a large table, and does a deep page cost more?

``GET /api/devices/{id}/messages`` is what a dashboard polls, and a client catching up on a
device type follows ``paging.next`` for many pages. Both read ``messages`` by index ranges, so
their cost should not grow with the table nor with the page's depth. This script fills a fresh
database with ``--devices`` devices of one device type sending ``--per-device`` messages each
(1M by default, 10M with ``--large``), one reception each, bulk-loaded through the driver
(``executemany`` on SQLite, ``COPY`` on PostgreSQL), then measures in the same run:

- **raw**: the SELECT the API runs (``storage.messages.BY_DEVICE`` and ``BY_DEVICE_TYPE``,
  compiled for the database, with the parameters the API binds), executed directly on a driver
  connection and fetched, many times: the floor of a page;
- **API**: the same pages through foxden (HTTP Basic auth, the page query, the receptions and
  callback attempts of its messages, the JSON answer) with wrk on one connection, so that wrk's
  latency percentiles are the service time of one request.

Pages: page 1 of one device (``?limit=100``) and, on the device type's list, page 1 and page
50 (found by following ``next`` 49 times, so it carries the keyset ``before``/``offset`` that
a client would send). A device holds only ``--per-device`` messages, one page at the default
size, so page 50 is measured where it exists. The script first checks the answers (100 items,
newest first, continuing where the page before stopped) and the query plans (an index range in
the page's order, no sort of more than a few pages of rows). The pages take turns over
``--rounds`` rounds; it prints the medians of p50/p99 in ms, the ratios, and the goals of the
issue as met or missed (nothing fails: the figures depend on the machine).

    .venv/bin/python bench/messages.py [--large] [--postgres [URL]] [--seconds N] [--rounds N]
                                       [--devices N] [--per-device N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed
import httpx
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from _load import LoadResult, load_tool, run_load, serve
from foxden.app import create_app
from foxden.config import Settings
from foxden.domain import credentials
from foxden.storage import api_users, device_types, devices, groups, stations
from foxden.storage import messages as stored
from foxden.storage.migrate import open_database
from groups import postgres_database

HERE = Path(__file__).parent
FIRST_DEVICE = 0x100000  # device n is f"{FIRST_DEVICE + n:X}"
PERIOD_MS = 600_000  # each device sends every 10 minutes
LIMIT = 100
DEEP_PAGE = 50
RAW_RUNS = 3000  # at most, per raw query
GOAL_VS_RAW = 10.0  # API p50 at most this many times the raw query's
GOAL_DEEP = 1.5  # page 50 at most this many times page 1
MESSAGE_COLUMNS = (
    "id", "device_id", "device_type_id", "time", "seq_number", "kind", "data", "ack", "rssi",
    "snr", "stations", "link_quality", "forwarded",
)  # fmt: skip
RECEPTION_COLUMNS = ("message_id", "station_id", "rssi", "snr", "freq", "time")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
URL_VARIABLE = "BENCH_DATABASE_URL"


def create_bench_app() -> FastAPI:
    """The whole foxden server on ``$BENCH_DATABASE_URL``, no demo fleet (uvicorn factory)."""
    return create_app(Settings(database_url=os.environ[URL_VARIABLE], demo=False, simulate=False))


@contextmanager
def serve_foxden(database_url: str) -> Iterator[str]:
    """Serve foxden on ``database_url`` in a child process; yield its base URL."""
    with ExitStack() as stack:
        os.environ[URL_VARIABLE] = database_url  # the uvicorn child reads it at its start
        try:
            base = stack.enter_context(
                serve("messages:create_bench_app", factory=True, app_dir=HERE)
            )
        finally:
            del os.environ[URL_VARIABLE]
        yield base


@dataclass(frozen=True)
class Fleet:
    """What the load created: whom to ask, about what."""

    database_url: str
    authorization: str
    device_type_id: str
    station_id: str
    devices: int
    per_device: int
    base_time: int

    @property
    def total(self) -> int:
        return self.devices * self.per_device

    def device_id(self, n: int) -> str:
        return f"{FIRST_DEVICE + n:X}"

    def messages(self) -> Iterator[tuple[Any, ...]]:
        """Every message row in id order, which is time order: round after round of the fleet,
        devices spread evenly over each period."""
        spacing = PERIOD_MS // self.devices
        for n in range(self.total):
            round_, device = divmod(n, self.devices)
            yield (
                n + 1, self.device_id(device), self.device_type_id,
                self.base_time + round_ * PERIOD_MS + device * spacing, round_ % 4096, "data",
                f"{n:024x}", False, -120.0 + n % 20, 5.0 + n % 15 / 2, 1, "GOOD", True,
            )  # fmt: skip

    def receptions(self) -> Iterator[tuple[Any, ...]]:
        spacing = PERIOD_MS // self.devices
        for n in range(self.total):
            round_, device = divmod(n, self.devices)
            sent = self.base_time + round_ * PERIOD_MS + device * spacing
            yield (n + 1, self.station_id, -120.0 + n % 20, 5.0 + n % 15 / 2, 868_130_000, sent)


# --- provisioning and bulk load ----------------------------------------------------


def _provision(conn: Connection, password_digest: str, fleet_size: int) -> tuple[str, str, str]:
    group = groups.create(conn, "Bench")
    user = api_users.create(conn, group.id, password_digest)
    device_type = device_types.create(conn, group.id, "Bench meter")
    for n in range(fleet_size):
        devices.create(conn, f"{FIRST_DEVICE + n:X}", device_type.id, "0" * 16)
    station = stations.create(conn, "Bench station", "bench-digest", lat=43.45, lng=6.54)
    return user.login, device_type.id, station.id


async def _provision_database(url: str, fleet_size: int, per_device: int) -> Fleet:
    password = credentials.new_password()
    db = await open_database(Settings(database_url=url, demo=False, simulate=False))
    try:
        login, device_type_id, station_id = await db.write(_provision, password.stored, fleet_size)
    finally:
        await db.close()
    basic = base64.b64encode(f"{login}:{password.plain}".encode()).decode()
    newest = int(time.time() * 1000) - PERIOD_MS
    return Fleet(
        url,
        f"Basic {basic}",
        device_type_id,
        station_id,
        fleet_size,
        per_device,
        newest - per_device * PERIOD_MS,
    )


def _insert(table: str, columns: tuple[str, ...]) -> str:
    # Names are this script's constants, never input.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608


def _load_sqlite(fleet: Fleet) -> None:
    path = make_url(fleet.database_url).database or ""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-256000")
        conn.execute("BEGIN")
        conn.executemany(_insert("messages", MESSAGE_COLUMNS), fleet.messages())
        conn.executemany(_insert("receptions", RECEPTION_COLUMNS), fleet.receptions())
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


async def _load_postgres(fleet: Fleet) -> None:
    conn = await asyncpg.connect(_asyncpg_url(fleet.database_url))
    try:
        await conn.copy_records_to_table(
            "messages", records=fleet.messages(), columns=list(MESSAGE_COLUMNS)
        )
        await conn.copy_records_to_table(
            "receptions", records=fleet.receptions(), columns=list(RECEPTION_COLUMNS)
        )
        await conn.execute(
            "SELECT setval(pg_get_serial_sequence('messages', 'id'),"
            " (SELECT max(id) FROM messages))"
        )
        # Autovacuum would get there: the planner's statistics of a table in steady state.
        await conn.execute("ANALYZE messages")
        await conn.execute("ANALYZE receptions")
    finally:
        await conn.close()


def _asyncpg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- the raw queries -----------------------------------------------------------------


@dataclass(frozen=True)
class RawQuery:
    """A page's SELECT as the driver runs it: SQL text and positional parameters."""

    sql: str
    args: tuple[Any, ...]


def raw_query(statement: Select[Any], dialect: str, **params: Any) -> RawQuery:
    """``statement`` compiled for ``dialect`` with the parameters the API binds."""
    compiled = statement.compile(
        dialect=sqlite.dialect() if dialect == "sqlite" else postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
    )
    values = compiled.construct_params(stored.page_params(**params))
    return RawQuery(compiled.string, tuple(values[name] for name in compiled.positiontup or ()))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _time_runs(run: Callable[[], int], seconds: float) -> list[float]:
    """Milliseconds per run of ``run`` (which returns the rows fetched), for about
    ``seconds`` or ``RAW_RUNS`` runs."""
    samples: list[float] = []
    deadline = time.monotonic() + seconds
    while len(samples) < RAW_RUNS and time.monotonic() < deadline:
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def _sqlite_raw(fleet: Fleet, query: RawQuery, seconds: float) -> list[float]:
    conn = sqlite3.connect(make_url(fleet.database_url).database or "")
    try:
        plan = [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {query.sql}", query.args)]
        _check_plan(sqlite_plan_problems(plan), plan, query)
        rows = conn.execute(query.sql, query.args).fetchall()
        if len(rows) < LIMIT:
            raise SystemExit(f"{len(rows)} rows, expected a full page: {query.sql}")
        return _time_runs(lambda: len(conn.execute(query.sql, query.args).fetchall()), seconds)
    finally:
        conn.close()


async def _postgres_raw(fleet: Fleet, query: RawQuery, seconds: float) -> list[float]:
    conn = await asyncpg.connect(_asyncpg_url(fleet.database_url))
    try:
        explained = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {query.sql}", *query.args)
        plan = json.loads(explained)[0]["Plan"]
        _check_plan(postgres_plan_problems(plan), plan, query)
        prepared = await conn.prepare(query.sql)
        if len(await prepared.fetch(*query.args)) < LIMIT:
            raise SystemExit(f"expected a full page: {query.sql}")
        samples: list[float] = []
        deadline = time.monotonic() + seconds
        while len(samples) < RAW_RUNS and time.monotonic() < deadline:
            began = time.perf_counter()
            await prepared.fetch(*query.args)
            samples.append((time.perf_counter() - began) * 1000)
        return samples
    finally:
        await conn.close()


def _check_plan(problems: list[str], plan: object, query: RawQuery) -> None:
    if problems:
        raise SystemExit(f"the plan {', '.join(problems)}: {plan}\n{query.sql} {query.args}")


def sqlite_plan_problems(plan: list[str]) -> list[str]:
    """What is wrong with a page's SQLite plan: a sort, or no index range."""
    text = " ".join(plan)
    problems = []
    if "TEMP B-TREE" in text:
        problems.append("sorts the rows")
    if "USING INDEX ix_messages_" not in text:
        problems.append("does not use a (owner, time, id) index")
    return problems


def postgres_plan_problems(node: dict[str, Any]) -> list[str]:
    """What is wrong with a page's PostgreSQL plan (``EXPLAIN (FORMAT JSON)``): a sequential
    scan, or a sort of more rows than a few pages (sorting one device's 100 rows is fine)."""
    problems = []
    if node["Node Type"] == "Seq Scan":
        problems.append("scans the table")
    children = node.get("Plans", [])
    if node["Node Type"] == "Sort" and any(
        child["Plan Rows"] > 10 * (LIMIT + 1) for child in children
    ):
        problems.append("sorts many rows")
    return problems + [problem for child in children for problem in postgres_plan_problems(child)]


# --- the API pages ---------------------------------------------------------------------


def _check_page(body: dict[str, Any], after: int | None) -> int:
    """The page's oldest time (s); fail unless it is full, newest first and goes on where the
    page before stopped."""
    times = [item["time"] for item in body["data"]]
    if len(times) != LIMIT or times != sorted(times, reverse=True):
        raise SystemExit(f"a page of {len(times)} items, or not newest first")
    if after is not None and times[0] > after:
        raise SystemExit("a page starts later than the page before ended")
    if not all("rinfos" in item for item in body["data"]):
        raise SystemExit("messages without their reception")
    return int(times[-1])


def deep_page(client: httpx.Client, first: str, page: int) -> str:
    """The URL of page ``page`` of a list, reached by following ``next`` from ``first``."""
    url, after = first, None
    for _ in range(page - 1):
        body = client.get(url).json()
        after = _check_page(body, after)
        url = body["paging"]["next"]
    _check_page(client.get(url).json(), after)
    return url


@dataclass(frozen=True)
class Measured:
    label: str
    p50: float
    p99: float
    runs: int


def measure_api(label: str, url: str, authorization: str, seconds: float) -> Measured:
    headers = {"Authorization": authorization}
    result: LoadResult = run_load(url, headers=headers, seconds=seconds, connections=1)
    return Measured(label, result.latency_ms[50.0], result.latency_ms[99.0], result.requests)


def measure_raw(
    label: str, fleet: Fleet, dialect: str, query: RawQuery, seconds: float
) -> Measured:
    if dialect == "sqlite":
        samples = _sqlite_raw(fleet, query, seconds)
    else:
        samples = asyncio.run(_postgres_raw(fleet, query, seconds))
    p50, p99 = _percentiles(samples)
    return Measured(label, p50, p99, len(samples))


def _median(rounds: list[Measured]) -> Measured:
    return Measured(
        rounds[0].label,
        statistics.median(m.p50 for m in rounds),
        statistics.median(m.p99 for m in rounds),
        sum(m.runs for m in rounds),
    )


@dataclass(frozen=True)
class Target:
    """A page, through the API and as its raw SELECT."""

    label: str
    url: str
    raw: RawQuery


# --- driver ------------------------------------------------------------------------------


def _fill(console: Console, database_url: str, args: argparse.Namespace) -> Fleet:
    began = time.monotonic()
    fleet = asyncio.run(_provision_database(database_url, args.devices, args.per_device))
    console.print(f"{args.devices:,} devices provisioned in {time.monotonic() - began:.1f} s")
    began = time.monotonic()
    if make_url(database_url).get_backend_name() == "sqlite":
        _load_sqlite(fleet)
    else:
        asyncio.run(_load_postgres(fleet))
    console.print(
        f"{fleet.total:,} messages and {fleet.total:,} receptions loaded in"
        f" {time.monotonic() - began:.1f} s"
    )
    return fleet


def _targets(fleet: Fleet, base: str, dialect: str, console: Console) -> list[Target]:
    """The three pages, checked first: page 50 is reached by following ``next``."""
    device_id = fleet.device_id(fleet.devices // 2)
    device_page = f"{base}/api/devices/{device_id}/messages?limit={LIMIT}"
    type_page = f"{base}/api/devicetypes/{fleet.device_type_id}/messages?limit={LIMIT}"
    with httpx.Client(headers={"Authorization": fleet.authorization}, timeout=60) as client:
        if client.get(device_page, headers={"Authorization": ""}).status_code != 401:
            raise SystemExit("a request without credentials was not refused")
        deep_page(client, device_page, 1)
        deep_url = deep_page(client, type_page, DEEP_PAGE)
    console.print(f"page {DEEP_PAGE} of the device type: {deep_url}")
    deep = httpx.URL(deep_url).params
    page: dict[str, Any] = {"since": None, "limit": LIMIT}
    of_type = {"owner": fleet.device_type_id, **page}
    return [
        Target(
            f"device page 1 ({device_id})",
            device_page,
            raw_query(stored.BY_DEVICE, dialect, owner=device_id, before=None, offset=0, **page),
        ),
        Target(
            "device type page 1",
            type_page,
            raw_query(stored.BY_DEVICE_TYPE, dialect, before=None, offset=0, **of_type),
        ),
        Target(
            f"device type page {DEEP_PAGE}",
            deep_url,
            raw_query(
                stored.BY_DEVICE_TYPE,
                dialect,
                before=int(deep["before"]) * 1000,
                offset=int(deep["offset"]),
                **of_type,
            ),
        ),
    ]


def run(
    console: Console, database_url: str, args: argparse.Namespace
) -> list[tuple[Measured, Measured]]:
    """(API, raw) of each page: the medians of interleaved rounds."""
    dialect = make_url(database_url).get_backend_name()
    fleet = _fill(console, database_url, args)
    api: dict[str, list[Measured]] = defaultdict(list)
    raw: dict[str, list[Measured]] = defaultdict(list)
    with serve_foxden(database_url) as base:
        targets = _targets(fleet, base, dialect, console)
        for target in targets:  # warm-up
            measure_api(target.label, target.url, fleet.authorization, min(2.0, args.seconds))
        # The pages take turns in a rotating order, so that drift in the machine's load
        # spreads over all of them; the raw query runs while the server idles.
        for n in range(args.rounds):
            shift = n % len(targets)
            for target in targets[shift:] + targets[:shift]:
                api[target.label].append(
                    measure_api(target.label, target.url, fleet.authorization, args.seconds)
                )
                raw[target.label].append(
                    measure_raw(target.label, fleet, dialect, target.raw, args.seconds)
                )
    return [(_median(api[t.label]), _median(raw[t.label])) for t in targets]


def report(console: Console, pairs: list[tuple[Measured, Measured]], title: str) -> None:
    table = Table(title=title)
    for column in ("page (ms)", "API p50", "API p99", "raw p50", "raw p99", "p50 vs raw",
                   "p99 vs raw", "runs API/raw"):  # fmt: skip
        table.add_column(column, justify="left" if column == "page (ms)" else "right")
    for api, raw in pairs:
        table.add_row(
            api.label,
            f"{api.p50:.3f}",
            f"{api.p99:.3f}",
            f"{raw.p50:.3f}",
            f"{raw.p99:.3f}",
            f"{api.p50 / raw.p50:.1f}x",
            f"{api.p99 / raw.p99:.1f}x",
            f"{api.runs:,} / {raw.runs:,}",
        )
    console.print(table)
    console.print("[bold]Goals[/] (checked, not enforced):")

    def verdict(label: str, ratio: float, goal: float) -> None:
        word = "[green]met[/]" if ratio <= goal else "[red]missed[/]"
        console.print(f"  {label} <= {goal:g}x: {word} ({ratio:.2f}x)")

    (device, raw_device), (first, raw_first), (deep, raw_deep) = pairs
    verdict("API device page 1 p50 vs its raw query", device.p50 / raw_device.p50, GOAL_VS_RAW)
    verdict("API device type page 1 p50 vs its raw query", first.p50 / raw_first.p50, GOAL_VS_RAW)
    verdict(f"API page {DEEP_PAGE} p50 vs page 1 (device type)", deep.p50 / first.p50, GOAL_DEEP)
    verdict(f"API page {DEEP_PAGE} p99 vs page 1 (device type)", deep.p99 / first.p99, GOAL_DEEP)
    verdict(f"raw page {DEEP_PAGE} p50 vs page 1", raw_deep.p50 / raw_first.p50, GOAL_DEEP)


def main() -> None:
    parser = argparse.ArgumentParser(description="S8: message pages over a large table")
    parser.add_argument("--large", action="store_true", help="10M messages (10,000 x 1,000)")
    parser.add_argument("--devices", type=int, default=10_000, help="fleet size (10000)")
    parser.add_argument("--per-device", type=int, help="messages per device (100; 1000 --large)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement (5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"on PostgreSQL instead of SQLite; a maintenance URL (default {DEFAULT_POSTGRES}):"
        " a fresh database is created next to it and dropped at the end",
    )
    args = parser.parse_args()
    if args.per_device is None:
        args.per_device = 1000 if args.large else 100
    if not 1 <= args.devices <= PERIOD_MS or args.per_device < LIMIT:
        parser.error(f"--devices must be 1 to {PERIOD_MS}, --per-device at least {LIMIT}")
    if args.devices * args.per_device <= LIMIT * DEEP_PAGE:
        parser.error(f"--devices x --per-device must exceed {LIMIT * DEEP_PAGE} messages")
    console = Console(width=None if Console().is_terminal else 120)
    console.print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with ExitStack() as stack:
        if args.postgres:
            database_url = stack.enter_context(postgres_database(args.postgres))
            engine = "PostgreSQL"
        else:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="foxden-bench-"))
            database_url = f"sqlite:///{workdir}/s8.sqlite3"
            engine = f"SQLite {sqlite3.sqlite_version}"
        pairs = run(console, database_url, args)
    total = args.devices * args.per_device
    title = (
        f"S8: GET messages?limit={LIMIT}, {engine}, {total:,} messages ({args.devices:,} devices"
        f" x {args.per_device:,}); {load_tool()} on 1 connection, median of {args.rounds} rounds"
        f" of {args.seconds:g} s; raw = the same SELECT on the driver"
    )
    report(console, pairs, title)
    console.print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
