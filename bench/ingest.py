"""Sustained uplink ingest: how many frames per second does ``POST /network/uplinks`` store?

The ingest route is foxden's write hot path: each answered frame is a committed transaction
(device lookup and lock, de-duplication, sequence check, token, message, device state, daily
counter, one outbox row per callback), so its rate, its latency and its cost next to the
machine's HTTP ceiling are what decide how large a fleet one server can take.  This script
measures, in one invocation and under the same uvicorn settings and load generator (see
``_load``):

- **raw ASGI**: the bare app of ``frameworks.py`` answering a small JSON to the same POST, the
  ceiling of the machine;
- **S1**: foxden on a fresh SQLite file holding ``--devices`` devices of one device type with one
  URL callback; every request is a new frame (request ``n`` is device ``n % devices`` with
  sequence number ``(n // devices + 1) % 4096``, so no frame is ever a replay);
- **S2**: the same on a fresh PostgreSQL database, created from the ``--postgres`` maintenance URL
  and dropped at the end;
- **S3**: S1 with every frame reported by 3 stations (3 requests with the same device, sequence
  number and time from 3 station tokens: one message with 3 receptions).

wrk builds each request from its index with a Lua generator (``_load.RequestGenerator``).  Every
non-200 answer and socket error is counted and a scenario that had any is flagged.  After each
scenario the server is stopped and the database is checked: the messages (and for S3 the
receptions) stored must match the 200 answers, allowing for requests still in flight when wrk
stopped (stored but never counted; at most one per connection per load).  The table gives
requests/s, messages/s, wrk's latency percentiles and the ratio to raw ASGI; the goals of the
ingest issue are then checked and printed as met or missed (nothing fails: the figures are
machine-dependent).

    .venv/bin/python bench/ingest.py [--seconds N] [--devices N] [--connections C] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from rich.console import Console
from rich.table import Table
from sqlalchemy import ColumnElement, Connection, func, select, text
from sqlalchemy import Table as SqlTable

from _load import LoadResult, RequestGenerator, load_tool, request, run_load, serve
from foxden.app import create_app
from foxden.config import Settings
from foxden.domain import credentials
from foxden.storage import callbacks, device_types, devices, groups, stations
from foxden.storage.migrate import open_database
from foxden.storage.tables import messages, outbox, receptions
from frameworks import UPLINK
from groups import postgres_database

HERE = Path(__file__).parent
URL_VARIABLE = "BENCH_DATABASE_URL"
UPLINK_PATH = "/network/uplinks"
FIRST_DEVICE = 0x100000  # device n is f"{FIRST_DEVICE + n:X}": 6 hex digits
SEQUENCE_MODULO = 4096
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
GOALS = {"S1": 0.20, "S2": 0.15}  # least share of raw ASGI's requests/s
P99_GOAL_MS = 100.0
S3_GOAL = 1.5  # S3 requests/s over S1 messages/s


def create_bench_app() -> FastAPI:
    """The whole foxden server on ``$BENCH_DATABASE_URL``, no demo fleet (uvicorn factory)."""
    settings = Settings(database_url=os.environ[URL_VARIABLE], demo=False, simulate=False)
    return create_app(settings)


# --- the frames -------------------------------------------------------------------


@dataclass(frozen=True)
class Traffic:
    """Request ``n`` is reception ``n % receptions`` of frame ``n // receptions``.

    Frame ``f`` is device ``f % devices`` with sequence number ``(f // devices + 1) % 4096`` and
    time ``base_time + f`` ms: each device's numbers go up by one per round of the fleet, so no
    frame replays (for 4096 rounds), and a frame's receptions share device, number and time.
    """

    devices: int
    tokens: tuple[str, ...]  # one station token per reception
    base_time: int

    @property
    def receptions(self) -> int:
        return len(self.tokens)

    def generator(self, start: int) -> RequestGenerator:
        return RequestGenerator(self.lua(), functools.partial(frame_request, self), start)

    def lua(self) -> str:
        authorizations = ", ".join(json.dumps(f"Bearer {token}") for token in self.tokens)
        return f"""
local devices = {self.devices}
local receptions = {self.receptions}
local base_time = {self.base_time}
local authorizations = {{{authorizations}}}
function make_request(n)
  local frame = math.floor(n / receptions)
  local station = n % receptions
  local seq = (math.floor(frame / devices) + 1) % {SEQUENCE_MODULO}
  local body = string.format(
    '{{"device":"%X","seqNumber":%d,"data":"%08x","rssi":%d,"snr":%d,"time":%.0f,"ack":false}}',
    {FIRST_DEVICE} + frame % devices, seq, frame % 4294967296, -100 - 5 * station,
    10 - station, base_time + frame)
  return body, {{Authorization = authorizations[station + 1]}}
end
"""


def frame_request(traffic: Traffic, n: int) -> tuple[bytes, dict[str, str]]:
    """Request ``n`` as the Lua generator builds it (sanity checks, aiohttp fallback)."""
    frame, station = divmod(n, traffic.receptions)
    body = {
        "device": f"{FIRST_DEVICE + frame % traffic.devices:X}",
        "seqNumber": (frame // traffic.devices + 1) % SEQUENCE_MODULO,
        "data": f"{frame % 2**32:08x}",
        "rssi": -100 - 5 * station,
        "snr": 10 - station,
        "time": traffic.base_time + frame,
        "ack": False,
    }
    headers = {"Authorization": f"Bearer {traffic.tokens[station]}"}
    return json.dumps(body, separators=(",", ":")).encode(), headers


# --- provisioning and checking the database ---------------------------------------


def _provision(conn: Connection, fleet_size: int, digests: list[str]) -> None:
    group = groups.create(conn, "Bench")
    device_type = device_types.create(conn, group.id, "Bench sensor")
    callbacks.create(conn, device_type.id, "URL", 0, 2, settings={"url": "http://127.0.0.1:9/"})
    for n in range(fleet_size):
        devices.create(conn, f"{FIRST_DEVICE + n:X}", device_type.id, "0" * 16)
    for n, digest in enumerate(digests):
        stations.create(conn, f"Bench station {n}", digest)


@dataclass(frozen=True)
class Stored:
    messages: int
    receptions: int
    outbox: int
    heard_by_all: int  # messages with a reception from every station


def _count(conn: Connection, station_count: int) -> Stored:
    def rows(table: SqlTable, *where: ColumnElement[bool]) -> int:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    return Stored(
        rows(messages),
        rows(receptions),
        rows(outbox),
        rows(messages, messages.c.stations == station_count),
    )


async def _provision_database(url: str, fleet_size: int, station_count: int) -> list[str]:
    tokens = [credentials.new_token() for _ in range(station_count)]
    db = await open_database(Settings(database_url=url, demo=False, simulate=False))
    try:
        await db.write(_provision, fleet_size, [token.stored for token in tokens])
    finally:
        await db.close()
    return [token.plain for token in tokens]


async def _stored(url: str, station_count: int) -> Stored:
    db = await open_database(Settings(database_url=url, demo=False, simulate=False))
    try:
        return await db.read(_count, station_count)
    finally:
        await db.close()


async def _postgres_version(url: str) -> str:
    db = await open_database(Settings(database_url=url, demo=False, simulate=False))
    try:
        version = await db.read(lambda conn: conn.execute(text("SHOW server_version")).scalar())
        return str(version).split()[0]
    finally:
        await db.close()


@contextmanager
def serve_foxden(database_url: str) -> Iterator[str]:
    """Serve foxden on ``database_url``; yield its base URL; stop it (queued writes finish)."""
    with ExitStack() as stack:
        os.environ[URL_VARIABLE] = database_url  # the uvicorn child reads it at its start
        try:
            base = stack.enter_context(serve("ingest:create_bench_app", factory=True, app_dir=HERE))
        finally:
            del os.environ[URL_VARIABLE]
        yield base


# --- one scenario -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    name: str
    label: str
    result: LoadResult
    receptions: int  # requests per message
    problems: tuple[str, ...]  # non-200 answers, socket errors, a database mismatch

    @property
    def rps(self) -> float:
        """Answered 200 per second."""
        return self.result.rate(200)

    @property
    def messages_per_second(self) -> float:
        return self.rps / self.receptions


def _answer_problems(result: LoadResult) -> list[str]:
    statuses = sorted(result.statuses.items())
    problems = [f"{n} answers {status}" for status, n in statuses if status != 200]
    if result.socket_errors:
        problems.append(f"{result.socket_errors} socket errors")
    if not result.count(200):
        problems.append("no 200 answer")
    return problems


def _sanity(url: str, traffic: Traffic) -> int:
    """Post the first frame (all its receptions) by hand; check a replay gets 409; return the
    next request index."""
    for n in range(traffic.receptions):
        body, headers = frame_request(traffic, n)
        status, answer = request(url, method="POST", body=body, headers=headers, timeout=30)
        accepted = json.loads(answer) if status == 200 else None
        if not isinstance(accepted, dict) or accepted.get("duplicate") != (n > 0):
            raise SystemExit(f"{url}: frame {n} answered {status} {answer!r}")
    replay = json.loads(frame_request(traffic, 0)[0]) | {"time": traffic.base_time - 3_600_000}
    status, answer = request(
        url,
        method="POST",
        body=json.dumps(replay).encode(),
        headers=frame_request(traffic, 0)[1],
        timeout=30,
    )
    if status != 409:
        raise SystemExit(f"{url}: a replayed sequence number answered {status} {answer!r}")
    return traffic.receptions


def run_scenario(
    console: Console,
    name: str,
    label: str,
    database_url: str,
    *,
    fleet_size: int,
    station_count: int,
    seconds: float,
    connections: int,
) -> Outcome:
    began = time.monotonic()
    tokens = asyncio.run(_provision_database(database_url, fleet_size, station_count))
    console.print(
        f"{name}: {fleet_size:,} devices and {station_count} station(s) provisioned in"
        f" {time.monotonic() - began:.1f} s"
    )
    traffic = Traffic(fleet_size, tuple(tokens), int(time.time() * 1000))
    answered = 0
    loads = 2  # warm-up and measurement
    with serve_foxden(database_url) as base:
        url = base + UPLINK_PATH
        start = _sanity(url, traffic)
        answered += traffic.receptions
        warm_up = run_load(
            url,
            method="POST",
            generator=traffic.generator(start),
            seconds=min(2.0, seconds),
            connections=connections,
            check=False,
        )
        result = run_load(
            url,
            method="POST",
            generator=traffic.generator(warm_up.next_index),
            seconds=seconds,
            connections=connections,
            check=False,
        )
        answered += warm_up.count(200) + result.count(200)
    load = os.getloadavg()
    problems = _answer_problems(warm_up) + _answer_problems(result)
    stored = asyncio.run(_stored(database_url, station_count))
    in_flight = loads * connections  # at most this many answers wrk never counted
    lost = answered - stored.receptions
    unanswered = stored.receptions - answered
    if lost > 0:
        problems.append(f"{lost} answered receptions are not stored")
    elif unanswered > in_flight:
        problems.append(f"{unanswered} more receptions stored than answered or in flight")
    if stored.outbox != stored.messages:
        problems.append(f"{stored.outbox} outbox rows for {stored.messages} messages")
    if station_count == 1 and stored.messages != stored.receptions:
        problems.append(f"{stored.messages} messages for {stored.receptions} receptions")
    if station_count > 1:
        short = stored.messages - stored.heard_by_all
        if short > in_flight:
            problems.append(f"{short} messages miss a station's reception")
    console.print(
        f"{name}: {result.count(200):,} answered 200 in {result.seconds:.1f} s"
        f" ({answered:,} with the sanity frame(s) and warm-up); stored {stored.messages:,}"
        f" messages, {stored.receptions:,} receptions ({stored.heard_by_all:,} messages heard by"
        f" all {station_count} stations), {stored.outbox:,} outbox rows; stored minus answered:"
        f" {unanswered} (requests in flight when wrk stopped, at most {in_flight});"
        f" load average {load[0]:.2f}"
    )
    for problem in problems:
        console.print(f"[bold red]{name}: {problem}[/]")
    return Outcome(name, label, result, station_count, tuple(problems))


def run_raw(console: Console, seconds: float, connections: int) -> Outcome:
    body = json.dumps(UPLINK, separators=(",", ":")).encode()
    with serve("frameworks:bare_app", app_dir=HERE) as base:
        url = base + UPLINK_PATH
        status, answer = request(url, method="POST", body=body)
        if status != 200 or not isinstance(json.loads(answer), dict):
            raise SystemExit(f"{url}: bare app answered {status} {answer!r}")
        run_load(url, method="POST", body=body, seconds=min(2.0, seconds), connections=connections)
        result = run_load(
            url, method="POST", body=body, seconds=seconds, connections=connections, check=False
        )
    console.print(f"raw: {result.rate(200):,.0f} req/s, load average {os.getloadavg()[0]:.2f}")
    return Outcome("raw", "raw ASGI (bare app)", result, 1, tuple(_answer_problems(result)))


# --- report -----------------------------------------------------------------------


def _versions(postgres: str | None) -> str:
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    parts = [
        f"{os.cpu_count()} cores",
        f"Python {platform.python_version()}",
        f"wrk {wrk.split()[1].split('/')[-1].split('-')[0]}" if wrk else load_tool(),
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if postgres:
        parts.append(f"PostgreSQL {postgres}")
    return ", ".join(parts)


def report(console: Console, outcomes: list[Outcome], title: str) -> None:
    by_name = {outcome.name: outcome for outcome in outcomes}
    raw = by_name["raw"].rps
    table = Table(title=title)
    for column in ("scenario", "requests/s", "messages/s", "p50 ms", "p99 ms", "non-200", "vs raw"):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for outcome in outcomes:
        result = outcome.result
        bad = sum(n for status, n in result.statuses.items() if status != 200)
        table.add_row(
            f"{outcome.name}: {outcome.label}" + (" [red](FLAGGED)[/]" if outcome.problems else ""),
            f"{outcome.rps:,.0f}",
            "-" if outcome.name == "raw" else f"{outcome.messages_per_second:,.0f}",
            f"{result.latency_ms.get(50.0, float('nan')):.1f}",
            f"{result.latency_ms.get(99.0, float('nan')):.1f}",
            f"{bad + result.socket_errors:,}",
            f"{outcome.rps / raw:.3f}x",
        )
    console.print(table)

    console.print("[bold]Goals[/] (checked, not enforced):")

    def verdict(label: str, met: bool, figures: str, *involved: Outcome) -> None:
        flagged = [o.name for o in involved if o.problems]
        word = "[green]met[/]" if met else "[red]missed[/]"
        note = f" [yellow](run with errors: {', '.join(flagged)})[/]" if flagged else ""
        console.print(f"  {label}: {word}  {figures}{note}")

    for name, share in GOALS.items():
        if name in by_name:
            outcome = by_name[name]
            ratio = outcome.rps / raw
            verdict(f"{name} >= {share:.2f}x raw", ratio >= share, f"{ratio:.3f}x", outcome)
    for outcome in outcomes:
        if outcome.name != "raw":
            p99 = outcome.result.latency_ms.get(99.0, float("nan"))
            label = f"{outcome.name} p99 < {P99_GOAL_MS:g} ms"
            verdict(label, p99 < P99_GOAL_MS, f"{p99:.1f} ms", outcome)
    if "S1" in by_name and "S3" in by_name:
        s1, s3 = by_name["S1"], by_name["S3"]
        ratio = s3.rps / s1.messages_per_second
        verdict(
            f"S3 requests/s >= {S3_GOAL:g}x S1 messages/s",
            ratio >= S3_GOAL,
            f"{s3.rps:,.0f} / {s1.messages_per_second:,.0f} = {ratio:.2f}x",
            s1,
            s3,
        )


# --- driver -----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="foxden's POST /network/uplinks vs bare ASGI")
    parser.add_argument("--seconds", type=float, default=60.0, help="per scenario (default 60)")
    parser.add_argument("--devices", type=int, default=10_000, help="fleet size (default 10000)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=DEFAULT_POSTGRES,
        help=f"maintenance URL for S2 (default {DEFAULT_POSTGRES}); a fresh database is created"
        " next to it and dropped at the end",
    )
    args = parser.parse_args()
    if not 1 <= args.devices <= 0xFFFFFFFF - FIRST_DEVICE:
        parser.error("--devices out of range")
    console = Console(width=None if Console().is_terminal else 120)
    console.print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )

    def scenario(name: str, label: str, url: str, station_count: int) -> Outcome:
        return run_scenario(
            console,
            name,
            label,
            url,
            fleet_size=args.devices,
            station_count=station_count,
            seconds=args.seconds,
            connections=args.connections,
        )

    outcomes = [run_raw(console, args.seconds, args.connections)]
    with tempfile.TemporaryDirectory(prefix="foxden-bench-") as workdir:
        outcomes.append(scenario("S1", "SQLite, 1 station", f"sqlite:///{workdir}/s1.sqlite3", 1))
        with postgres_database(args.postgres) as pg_url:
            postgres = asyncio.run(_postgres_version(pg_url))
            outcomes.append(scenario("S2", "PostgreSQL, 1 station", pg_url, 1))
        outcomes.append(scenario("S3", "SQLite, 3 stations", f"sqlite:///{workdir}/s3.sqlite3", 3))

    title = (
        f"POST {UPLINK_PATH}: {load_tool()}, {args.connections} connections, {args.seconds:g} s"
        f" per scenario, {args.devices:,} devices; {_versions(postgres)}"
    )
    report(console, outcomes, title)
    console.print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
