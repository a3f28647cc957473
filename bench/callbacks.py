"""Callback delivery: how soon does a callback follow its uplink (S4), and how fast does the
dispatcher drain a backlog (S6)?

A customer sees foxden through its callbacks: the latency from a base station's uplink to the
customer's receiver, and, after an outage, how fast the queued deliveries catch up. Both depend
on the dispatcher (claims as leases, per-callback slots, completions written in groups) sharing
the database with ingest. This script measures, on a fresh SQLite file and, with
``--postgres``, on a fresh PostgreSQL database (created from the maintenance URL and dropped at
the end):

- **S4**: ``foxden serve`` in a child process (dispatcher on, demo off,
  ``FOXDEN_OUTBOUND_ALLOW=127.0.0.1/32``) with one URL callback posting
  ``device={device}&seq={seqNumber}`` to an aiohttp sink in this process. Uplinks go to
  ``POST /network/uplinks`` through a station token, open loop (one every ``1/rate`` s, whatever
  the answers), at 10 uplinks/s and at ``--rate``, by default half the rate a short closed-loop
  load of 64 connections reached on the same server just before (S1's load, see
  ``bench/ingest.py``). The latency of an uplink is from its 200 answer to the sink receiving its
  callback, both read on this process's monotonic clock; p50 and p99 in ms.
- **S6**: a backlog of ``--rows`` outbox rows (``rows / 10`` messages, each queued to 10 URL
  callbacks of one device type, one per sink) inserted through the storage tables, then
  ``foxden dispatch`` started alone: the time from its start to the outbox being empty (polled)
  gives deliveries/s. The baseline, measured in the same run against the same 10 sinks, is a
  plain aiohttp client in a child process sending as many POSTs with 32 to 512 in flight (the
  best rate counts): the machine's ceiling for these requests, with no database. The drain is
  then repeated with one sink answering 500 (``FOXDEN_CALLBACK_RETRY_DELAYS=3600``, so a failed
  row comes back only after the run) and the healthy sinks' rate is compared with theirs in the
  all-healthy drain.

The sinks, and S4's client, run on this process's event loop (uvloop), so an arrival and an
answer are timed by the same clock and the same loop; the foxden processes and the baseline's
client have processes of their own. Goals are printed as met or missed (nothing fails: the
figures depend on the machine).

    .venv/bin/python bench/callbacks.py [--postgres [URL]] [--quick] [--rows N] [--rate R]
                                        [--seconds N] [--probe-seconds N] [--devices N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import multiprocessing
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection, func, insert, select

from _serve import (
    FIRST_DEVICE,
    SEQUENCE_MODULO,
    UPLINK_PATH,
    Frames,
    bench_database,
    closed_loop_max,
    fill_latency_defaults,
    foxden_dispatcher,
    foxden_server,
    frame_request,
    latency_arguments,
    load_average,
    paced,
    pct,
    provision,
    run_on_uvloop,
    serving,
    verdict,
    wait_drained,
)
from foxden.domain import credentials
from foxden.domain.callbacks import event_name
from foxden.storage import callbacks, device_types, devices, groups, stations
from foxden.storage.db import Database
from foxden.storage.tables import messages, outbox, receptions
from groups import postgres_database

BODY_TEMPLATE = "device={device}&seq={seqNumber}"
FORM = "application/x-www-form-urlencoded"
SLOW_RATE = 10.0  # uplinks/s, S4's first rate
SINKS = 10
IN_FLIGHT = (32, 128, 512)  # the baseline's levels
BACKLOG_DEVICES = 100
P50_GOAL_MS = 20.0
P99_GOAL_MS = 200.0
DRAIN_GOAL = 0.25  # deliveries/s over the baseline's
HEALTHY_GOAL = 0.8  # healthy sinks' rate with one failing sink, over the all-healthy rate


# --- sinks --------------------------------------------------------------------------


@dataclass
class Sink:
    """A callback receiver: answers ``status``, counts requests, and when ``arrivals`` is set,
    notes when each body first arrived (``time.monotonic``)."""

    status: int = 200
    url: str = ""
    received: int = 0
    arrivals: dict[bytes, float] | None = None

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        body = await request.read()
        self.received += 1
        if self.arrivals is not None:
            self.arrivals.setdefault(body, now)
        return web.Response(status=self.status)


@contextlib.asynccontextmanager
async def running_sinks(count: int) -> AsyncIterator[list[Sink]]:
    """``count`` sinks on loopback ports of their own, served by this process's loop."""
    async with contextlib.AsyncExitStack() as stack:
        sinks = [Sink() for _ in range(count)]
        for sink in sinks:
            sink.url = await stack.enter_async_context(serving(sink.handle)) + "/callback"
        yield sinks


def url_callback(url: str) -> dict[str, str]:
    """A URL callback's stored settings: a form POST naming the frame."""
    return {"url": url, "httpMethod": "POST", "contentType": FORM, "bodyTemplate": BODY_TEMPLATE}


def sink_key(device: str, seq: int) -> bytes:
    """The body the sink receives for a frame: ``BODY_TEMPLATE`` rendered."""
    return f"device={device}&seq={seq}".encode()


# --- the database --------------------------------------------------------------------


def _outbox_rows(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


# --- S4: latency from ingest to the sink ----------------------------------------------


def _provision_s4(conn: Connection, fleet_size: int, digest: str, sink_url: str) -> None:
    group = groups.create(conn, "Bench")
    device_type = device_types.create(conn, group.id, "Bench sensor")
    callbacks.create(conn, device_type.id, "URL", 0, 2, settings=url_callback(sink_url))
    for n in range(fleet_size):
        devices.create(conn, f"{FIRST_DEVICE + n:X}", device_type.id, "0" * 16)
    stations.create(conn, "Bench station", digest)


@dataclass
class Latency:
    """One open-loop run at ``rate`` uplinks/s."""

    label: str
    rate: float
    sent: int
    answered: int = 0
    failures: int = 0  # non-200 answers and socket errors
    ingest_ms: list[float] = field(default_factory=list)  # request to 200 answer
    delivery_ms: list[float] = field(default_factory=list)  # 200 answer to the sink

    @property
    def lost(self) -> int:
        """Answered uplinks whose callback never reached the sink."""
        return self.answered - len(self.delivery_ms)


async def open_loop(
    session: aiohttp.ClientSession,
    url: str,
    frames: Frames,
    sink: Sink,
    label: str,
    first: int,
    rate: float,
    seconds: float,
) -> Latency:
    """Send request ``first``, ``first + 1``, ... every ``1 / rate`` s; time their callbacks."""
    run = Latency(label, rate, max(1, round(rate * seconds)))
    answered: dict[bytes, float] = {}
    arrivals: dict[bytes, float] = {}
    sink.arrivals = arrivals

    async def one(n: int) -> None:
        key = sink_key(*frames.frame(n))
        body, headers = frame_request(frames, n)
        began = time.monotonic()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                now = time.monotonic()
                await response.read()
        except aiohttp.ClientError:
            run.failures += 1
            return
        if response.status != 200:
            run.failures += 1
            return
        answered[key] = now
        run.ingest_ms.append((now - began) * 1000)

    await paced(rate, run.sent, lambda i: one(first + i))
    deadline = time.monotonic() + 30
    while any(key not in arrivals for key in answered) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    sink.arrivals = None
    run.answered = len(answered)
    run.delivery_ms = [(arrivals[k] - t) * 1000 for k, t in answered.items() if k in arrivals]
    return run


async def s4(
    console: Console, database_url: str, args: argparse.Namespace
) -> tuple[list[Latency], float]:
    """S4's two runs on ``database_url``, and the closed-loop maximum rate measured first."""
    token = credentials.new_token()
    async with running_sinks(1) as [sink]:
        await provision(database_url, _provision_s4, args.devices, token.stored, sink.url)
        frames = Frames(args.devices, token.plain, int(time.time() * 1000))
        async with foxden_server(database_url) as (base, pid):
            console.print(f"S4: foxden serve, PID {pid}, at {base}")
            url = base + UPLINK_PATH
            connector = aiohttp.TCPConnector(limit=256)
            async with aiohttp.ClientSession(connector=connector) as session:
                check = await open_loop(session, url, frames, sink, "check", 0, SLOW_RATE, 0.1)
                if check.lost or check.failures:
                    raise SystemExit(f"S4: the first uplink's callback did not arrive: {check}")
                maximum, next_index = await closed_loop_max(
                    console, "S4", frames, url, database_url, args.probe_seconds
                )
                runs = []
                second = ("--rate", args.rate) if args.rate else ("50% of max", maximum / 2)
                rates = [("10/s", SLOW_RATE), second]
                for label, rate in rates:
                    run = await open_loop(
                        session, url, frames, sink, label, next_index, rate, args.seconds
                    )
                    next_index += run.sent
                    console.print(
                        f"S4 at {rate:,.1f}/s: {run.answered:,} of {run.sent:,} answered 200,"
                        f" {len(run.delivery_ms):,} callbacks timed, p50"
                        f" {pct(run.delivery_ms, 50):.1f} ms; load average {load_average()}"
                    )
                    runs.append(run)
    return runs, maximum


# --- S6: draining a backlog ---------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    """What the deliveries of a backlog name: the device type's callbacks, one per sink."""

    callback_ids: tuple[str, ...]
    message_ids: tuple[int, ...]


def _provision_s6(conn: Connection, urls: Sequence[str], digest: str) -> tuple[list[str], str, str]:
    """A device type with one URL callback per sink, its devices and a station: the callbacks'
    ids, the device type's and the station's."""
    group = groups.create(conn, "Backlog")
    device_type = device_types.create(conn, group.id, "Backlog sensor")
    ids = [
        callbacks.create(conn, device_type.id, "URL", 0, 2, settings=url_callback(url)).id
        for url in urls
    ]
    for n in range(BACKLOG_DEVICES):
        devices.create(conn, _backlog_device(n), device_type.id, "0" * 16)
    station = stations.create(conn, "Backlog station", digest)
    return ids, device_type.id, station.id


def _backlog_device(n: int) -> str:
    return f"{FIRST_DEVICE + 0x100000 + n:X}"  # clear of S4's fleet


def _insert_messages(
    conn: Connection, device_type_id: str, station_id: str, count: int
) -> list[int]:
    """``count`` stored uplinks of the backlog's devices, one reception each; their ids."""
    first = int(conn.execute(select(func.coalesce(func.max(messages.c.id), 0))).scalar_one()) + 1
    ids = list(range(first, first + count))
    now = int(time.time() * 1000)
    sent = [now - count + n for n in range(count)]
    conn.execute(
        insert(messages),
        [
            {"id": message_id, "device_id": _backlog_device(n % BACKLOG_DEVICES),
             "device_type_id": device_type_id, "time": sent[n],
             "seq_number": n // BACKLOG_DEVICES % SEQUENCE_MODULO, "kind": "data",
             "data": f"{n:08x}", "ack": False, "rssi": -110.0, "snr": 10.0, "stations": 1,
             "link_quality": "GOOD", "forwarded": True}
            for n, message_id in enumerate(ids)
        ],
    )  # fmt: skip
    conn.execute(
        insert(receptions),
        [
            {"message_id": message_id, "station_id": station_id, "rssi": -110.0, "snr": 10.0,
             "freq": 868_130_000, "time": sent[n]}
            for n, message_id in enumerate(ids)
        ],
    )  # fmt: skip
    return ids


def _enqueue(conn: Connection, backlog: Backlog) -> None:
    """One due outbox row per message and callback, message after message."""
    now = int(time.time() * 1000)
    event = event_name(0, 2)
    conn.execute(
        insert(outbox),
        [
            {"message_id": message_id, "callback_id": callback_id, "event": event,
             "station_id": None, "duplicate": False, "state": "queued", "attempts": 0,
             "due_at": now, "created_at": now}
            for message_id in backlog.message_ids
            for callback_id in backlog.callback_ids
        ],
    )  # fmt: skip


@dataclass(frozen=True)
class Drain:
    """One drain of the backlog by ``foxden dispatch``."""

    label: str
    rows: int
    healthy_rows: int  # rows of the callbacks whose sink answers 200 in every drain
    seconds: float  # dispatcher start to every row done (delivered, or failed and rescheduled)
    healthy_seconds: float  # dispatcher start to every healthy row delivered
    received: int  # requests the healthy sinks received
    left: int  # rows still in the outbox at the end (the failing sink's, rescheduled)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def healthy_rate(self) -> float:
        return self.healthy_rows / self.healthy_seconds


async def drain(
    console: Console,
    database_url: str,
    db: Database,
    backlog: Backlog,
    sinks: list[Sink],
    label: str,
) -> Drain:
    """Queue the backlog, start ``foxden dispatch``, time it until the outbox is drained.

    The first sink's callback is left out of the healthy ones in every drain, so that the
    healthy rates of a drain with it failing and one without compare the same nine sinks."""
    await db.write(_enqueue, backlog)
    rows = await db.read(_outbox_rows)
    healthy = backlog.callback_ids[1:]
    healthy_rows = len(backlog.message_ids) * len(healthy)
    for sink in sinks:
        sink.received = 0
    async with foxden_dispatcher(database_url) as (started, pid):
        console.print(f"S6 {label}: foxden dispatch, PID {pid}")
        healthy_done = await wait_drained(db, healthy)
        all_done = await wait_drained(db)
    left = await db.read(_outbox_rows)
    received = sum(sink.received for sink in sinks[1:])
    result = Drain(
        label,
        rows,
        healthy_rows,
        all_done - started,
        healthy_done - started,
        received,
        left,
    )
    console.print(
        f"S6 {label}: {rows:,} rows in {result.seconds:.1f} s ({result.rate:,.0f}/s), the 9"
        f" healthy sinks' {healthy_rows:,} in {result.healthy_seconds:.1f} s"
        f" ({result.healthy_rate:,.0f}/s, {received:,} received); {left:,} rows left;"
        f" load average {load_average()}"
    )
    if received != healthy_rows:
        console.print(f"[yellow]S6 {label}: the healthy sinks got {received:,} requests[/]")
    return result


async def s6(console: Console, database_url: str, args: argparse.Namespace) -> list[Drain]:
    """S6's drains on ``database_url``: all sinks healthy, then the first answering 500."""
    async with running_sinks(SINKS) as sinks:
        db = await bench_database(database_url)
        try:
            digest = credentials.new_token().stored
            callback_ids, device_type_id, station_id = await db.write(
                _provision_s6, [s.url for s in sinks], digest
            )
            began = time.monotonic()
            message_ids = await db.write(
                _insert_messages, device_type_id, station_id, args.rows // SINKS
            )
            backlog = Backlog(tuple(callback_ids), tuple(message_ids))
            console.print(
                f"S6: {len(message_ids):,} messages stored in {time.monotonic() - began:.1f} s"
            )
            healthy = await drain(console, database_url, db, backlog, sinks, "all healthy")
            sinks[0].status = 500
            failing = await drain(console, database_url, db, backlog, sinks, "1 sink failing")
        finally:
            await db.close()
    return [healthy, failing]


# --- the baseline: aiohttp alone ---------------------------------------------------------


def _blast(urls: list[str], total: int, in_flight: int) -> tuple[float, int]:
    """Seconds to POST ``total`` times, round robin over ``urls``, ``in_flight`` at a time;
    and the failures. Runs in a child process."""
    return asyncio.run(_blast_async(urls, total, in_flight))


async def _blast_async(urls: list[str], total: int, in_flight: int) -> tuple[float, int]:
    body = sink_key(f"{FIRST_DEVICE:X}", 1)
    headers = {"Content-Type": FORM}
    counter = itertools.count()
    failures = 0
    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal failures
            while (n := next(counter)) < total:
                try:
                    async with session.post(urls[n % len(urls)], data=body, headers=headers) as r:
                        await r.read()
                        failures += r.status != 200
                except aiohttp.ClientError:
                    failures += 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return time.monotonic() - began, failures


async def baseline(console: Console, rows: int) -> dict[int, float]:
    """POSTs/s of plain aiohttp to 10 sinks, by requests in flight."""
    rates = {}
    context = multiprocessing.get_context("spawn")
    async with running_sinks(SINKS) as sinks:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            loop = asyncio.get_running_loop()
            for in_flight in IN_FLIGHT:
                urls = [sink.url for sink in sinks]
                seconds, failures = await loop.run_in_executor(pool, _blast, urls, rows, in_flight)
                if failures:
                    raise SystemExit(f"baseline: {failures} failed requests")
                rates[in_flight] = rows / seconds
                console.print(
                    f"baseline, {in_flight} in flight: {rates[in_flight]:,.0f} POSTs/s;"
                    f" load average {load_average()}"
                )
    return rates


# --- report ----------------------------------------------------------------------------


def report_s4(console: Console, engine: str, runs: list[Latency], maximum: float) -> None:
    table = Table(title=f"S4, {engine}: 200 answer to callback received (closed-loop max"
                        f" {maximum:,.1f} uplinks/s)")  # fmt: skip
    for column in ("rate", "uplinks/s", "sent", "answered", "timed", "ingest p50 ms",
                   "callback p50 ms", "callback p99 ms", "max ms", f"p50 <= {P50_GOAL_MS:g}",
                   f"p99 <= {P99_GOAL_MS:g}"):  # fmt: skip
        table.add_column(column, justify="left" if column == "rate" else "right")
    for run in runs:
        p50, p99 = pct(run.delivery_ms, 50), pct(run.delivery_ms, 99)
        table.add_row(
            run.label,
            f"{run.rate:,.1f}",
            f"{run.sent:,}",
            f"{run.answered:,}" + (f" ({run.failures} failed)" if run.failures else ""),
            f"{len(run.delivery_ms):,}" + (f" ({run.lost} lost)" if run.lost else ""),
            f"{pct(run.ingest_ms, 50):.1f}",
            f"{p50:.1f}",
            f"{p99:.1f}",
            f"{max(run.delivery_ms, default=float('nan')):.1f}",
            verdict(p50 <= P50_GOAL_MS),
            verdict(p99 <= P99_GOAL_MS),
        )
    console.print(table)


def report_s6(console: Console, engine: str, drains: list[Drain], ceiling: float) -> None:
    healthy, failing = drains
    table = Table(title=f"S6, {engine}: draining {healthy.rows:,} deliveries to {SINKS} sinks")
    for column in ("drain", "rows", "seconds", "deliveries/s", "vs baseline",
                   "9 healthy sinks/s", "vs all healthy"):  # fmt: skip
        table.add_column(column, justify="left" if column == "drain" else "right")
    for run in drains:
        table.add_row(
            run.label,
            f"{run.rows:,}",
            f"{run.seconds:.1f}",
            f"{run.rate:,.0f}",
            f"{run.rate / ceiling:.3f}x",
            f"{run.healthy_rate:,.0f}",
            f"{run.healthy_rate / healthy.healthy_rate:.2f}x",
        )
    console.print(table)
    ratio = healthy.rate / ceiling
    kept = failing.healthy_rate / healthy.healthy_rate
    console.print(
        f"  deliveries/s >= {DRAIN_GOAL:g}x baseline: {verdict(ratio >= DRAIN_GOAL)}"
        f" ({ratio:.3f}x of {ceiling:,.0f}/s)"
    )
    console.print(
        f"  healthy sinks with one failing >= {HEALTHY_GOAL:g}x: {verdict(kept >= HEALTHY_GOAL)}"
        f" ({kept:.2f}x)"
    )


# --- driver --------------------------------------------------------------------------------


async def run_engine(
    console: Console, engine: str, database_url: str, args: argparse.Namespace, ceiling: float
) -> None:
    runs, maximum = await s4(console, database_url, args)
    drains = await s6(console, database_url, args)
    report_s4(console, engine, runs, maximum)
    report_s6(console, engine, drains, ceiling)


def parse_args() -> argparse.Namespace:
    parser = latency_arguments(
        "S4 callback latency and S6 backlog drain", "S4's second rate (half the measured max)"
    )
    parser.add_argument("--rows", type=int, help="backlog rows (100000; 10000 --quick)")
    args = fill_latency_defaults(parser.parse_args())
    args.rows = args.rows or (10_000 if args.quick else 100_000)
    return args


def main() -> None:
    args = parse_args()
    console = Console(width=None if Console().is_terminal else 140)
    console.print(f"{time.strftime('%Y-%m-%d %H:%M')}, load average {load_average()}")
    rates = run_on_uvloop(baseline(console, args.rows))
    ceiling = max(rates.values())
    with tempfile.TemporaryDirectory(prefix="foxden-bench-") as workdir:
        engine = f"SQLite {sqlite3.sqlite_version}"
        run_on_uvloop(
            run_engine(console, engine, f"sqlite:///{workdir}/callbacks.sqlite3", args, ceiling)
        )
    if args.postgres:
        with postgres_database(args.postgres) as database_url:
            run_on_uvloop(run_engine(console, "PostgreSQL", database_url, args, ceiling))
    console.print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
