"""Downlink round trip (S5): how long does a station wait for a downlink that a customer's
receiver gives at once?

A frame with ``ack`` on a device type in CALLBACK mode (``downlinkMode`` 1) makes the ingest
request ask the device type's downlink callback (a DATA BIDIR URL callback) before it answers:
the station gets the receiver's downlink in its answer, within the device's receive window. What
foxden adds to the receiver's own time is its share of that window. This script measures it on a
fresh SQLite file and, with ``--postgres``, on a fresh PostgreSQL database (created from the
maintenance URL and dropped at the end):

``foxden serve`` in a child process (dispatcher on, demo off,
``FOXDEN_OUTBOUND_ALLOW=127.0.0.1/32``), one device type in CALLBACK mode whose selected downlink
callback posts ``{"device": "{device}", "seq": {seqNumber}, "ack": {ack}}`` as JSON to an aiohttp
sink in this process. The sink answers every call at once with ``{"<device>": {"downlinkData":
"<device><seq>"}}`` (8 bytes naming the frame) and notes, for each frame with ``ack``, its own
time: from the handler's start to the answer handed back to aiohttp. A short closed-loop load of
64 connections (S1's, frames without ``ack``) measures the server's maximum rate first; then, at
10 uplinks/s and at half that maximum (or ``--rate``), uplinks go to ``POST /network/uplinks``
open loop (one every ``1/rate`` s, whatever the answers): first without ``ack`` (the baseline:
the plain ingest answer time, the callback delivered later by the dispatcher), then, once the
outbox is empty again, with ``ack``. For each uplink with ``ack``, the total is from sending it
to reading its answer, which must be 200 with ``"downlink": {"status": "sent", "data": <the
sink's>}`` (anything else counts as an error); the latency foxden adds is the total minus the
sink's time for that frame, all on this process's monotonic clock. p50 and p99 in ms, and their
ratios to the baseline's at the same rate. The goal is S5's, at half the maximum.

Goals are printed as met or missed (nothing fails: the figures depend on the machine).

    .venv/bin/python bench/downlinks.py [--postgres [URL]] [--quick] [--rate R] [--seconds N]
                                        [--probe-seconds N] [--devices N]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from rich.console import Console
from rich.table import Table
from sqlalchemy import Connection

from _serve import (
    FIRST_DEVICE,
    JSON,
    UPLINK_PATH,
    Frames,
    closed_loop_max,
    drain_lag,
    fill_latency_defaults,
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
)
from foxden.domain import credentials
from foxden.domain.device_types import DownlinkMode
from foxden.storage import callbacks, device_types, devices, groups, stations
from groups import postgres_database

BODY_TEMPLATE = '{"device": "{device}", "seq": {seqNumber}, "ack": {ack}}'
DATA_BIDIR = (0, 3)  # callbackType DATA, callbackSubtype BIDIR
SLOW_RATE = 10.0  # uplinks/s, the first pair of runs
P99_GOAL_MS = 100.0  # at the second rate


# --- the downlink callback's receiver ---------------------------------------------------


def downlink_data(device: str, seq: int) -> str:
    """The downlink the sink gives a frame: its device and sequence number, 8 bytes as hex."""
    return f"{int(device, 16):08x}{seq:08x}"


@dataclass
class BidirSink:
    """Answers each call at once with the frame's downlink; for frames with ``ack``, notes its
    own time in seconds (from the handler's start to the answer handed back to aiohttp)."""

    url: str = ""
    spans: dict[tuple[str, int], float] = field(default_factory=dict)

    async def handle(self, request: web.Request) -> web.Response:
        began = time.monotonic()
        frame = json.loads(await request.read())
        device, seq = frame["device"], frame["seq"]
        answer = json.dumps({device: {"downlinkData": downlink_data(device, seq)}})
        response = web.Response(text=answer, content_type=JSON)
        if frame["ack"]:
            self.spans[device, seq] = time.monotonic() - began
        return response


def _provision(conn: Connection, fleet_size: int, digest: str, sink_url: str) -> None:
    """A device type in CALLBACK mode, its DATA BIDIR URL callback selected for downlinks, its
    fleet and a station."""
    group = groups.create(conn, "Bench")
    device_type = device_types.create(
        conn, group.id, "Bench sensor", downlink_mode=DownlinkMode.CALLBACK
    )
    settings = {"url": sink_url, "httpMethod": "POST", "contentType": JSON,
                "bodyTemplate": BODY_TEMPLATE}  # fmt: skip
    callback = callbacks.create(conn, device_type.id, "URL", *DATA_BIDIR, settings=settings)
    callbacks.select_downlink(conn, device_type.id, callback.id)
    for n in range(fleet_size):
        devices.create(conn, f"{FIRST_DEVICE + n:X}", device_type.id, "0" * 16)
    stations.create(conn, "Bench station", digest)


# --- S5: one open-loop run ----------------------------------------------------------------


@dataclass
class RoundTrips:
    """One open-loop run at ``rate`` uplinks/s, with ``ack`` or without."""

    label: str
    rate: float
    ack: bool
    sent: int
    failures: int = 0  # non-200 answers and socket errors
    mismatches: int = 0  # 200 answers without the sink's downlink (or with one, without ack)
    total_ms: list[float] = field(default_factory=list)  # sending to the answer read
    sink_ms: list[float] = field(default_factory=list)  # the sink's own time, with ack
    added_ms: list[float] = field(default_factory=list)  # total - sink's, with ack
    example: str = ""  # the first mismatching answer

    @property
    def errors(self) -> int:
        return self.failures + self.mismatches


async def round_trips(
    session: aiohttp.ClientSession,
    url: str,
    frames: Frames,
    sink: BidirSink,
    label: str,
    first: int,
    rate: float,
    seconds: float,
) -> RoundTrips:
    """Send request ``first``, ``first + 1``, ... every ``1 / rate`` s; time their answers."""
    run = RoundTrips(label, rate, frames.ack, max(1, round(rate * seconds)))

    async def one(n: int) -> None:
        device, seq = frames.frame(n)
        body, headers = frame_request(frames, n)
        began = time.monotonic()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                raw = await response.read()
                total = time.monotonic() - began
        except aiohttp.ClientError:
            run.failures += 1
            return
        if response.status != 200:
            run.failures += 1
            run.example = run.example or f"HTTP {response.status}: {raw[:200]!r}"
            return
        got: Any = json.loads(raw).get("downlink")
        expected = {"status": "sent", "data": downlink_data(device, seq)} if frames.ack else None
        spent = sink.spans.pop((device, seq), None)
        if got != expected or (spent is None) == frames.ack:
            run.mismatches += 1
            run.example = run.example or f"{device} seq {seq}: downlink {got}, sink {spent}"
            return
        run.total_ms.append(total * 1000)
        if spent is not None:
            run.sink_ms.append(spent * 1000)
            run.added_ms.append((total - spent) * 1000)

    await paced(rate, run.sent, lambda i: one(first + i))
    return run


async def s5(
    console: Console, database_url: str, args: argparse.Namespace
) -> tuple[list[RoundTrips], float]:
    """S5's runs on ``database_url``, without ``ack`` then with it at 10/s, then the same at the
    second rate; and the closed-loop maximum rate measured first."""
    token = credentials.new_token()
    sink = BidirSink()
    async with serving(sink.handle) as sink_base:
        sink.url = sink_base + "/bidir"
        await provision(database_url, _provision, args.devices, token.stored, sink.url)
        plain = Frames(args.devices, token.plain, int(time.time() * 1000))
        acked = dataclasses.replace(plain, ack=True)
        async with foxden_server(database_url) as (base, pid):
            console.print(f"S5: foxden serve, PID {pid}, at {base}")
            url = base + UPLINK_PATH
            connector = aiohttp.TCPConnector(limit=256)
            async with aiohttp.ClientSession(connector=connector) as session:
                check = await round_trips(session, url, acked, sink, "check", 0, SLOW_RATE, 0.1)
                if check.errors:
                    raise SystemExit(f"S5: the first downlink did not come back: {check}")
                maximum, next_index = await closed_loop_max(
                    console, "S5", plain, url, database_url, args.probe_seconds
                )
                second = ("--rate", args.rate) if args.rate else ("50% of max", maximum / 2)
                runs = []
                for (label, rate), (frames, kind) in itertools.product(
                    [("10/s", SLOW_RATE), second], [(plain, "no ack"), (acked, "ack")]
                ):
                    run = await round_trips(
                        session, url, frames, sink, f"{label}, {kind}", next_index, rate,
                        args.seconds,
                    )  # fmt: skip
                    next_index += run.sent
                    lag = await drain_lag(database_url, time.monotonic())
                    console.print(
                        f"S5 {kind} at {rate:,.1f}/s: {len(run.total_ms):,} of {run.sent:,}"
                        f" answered as expected, total p50 {pct(run.total_ms, 50):.1f} ms;"
                        f" outbox empty {lag:.1f} s later; load average"
                        f" {load_average()}"
                    )
                    if run.errors:
                        console.print(f"[yellow]S5 {kind}: {run.errors} errors, e.g. {run.example}")
                    runs.append(run)
    return runs, maximum


# --- report ----------------------------------------------------------------------------


def report(console: Console, engine: str, runs: list[RoundTrips], maximum: float) -> None:
    table = Table(title=f"S5, {engine}: uplink with ack to its downlink, ms (closed-loop max"
                        f" {maximum:,.1f} uplinks/s)")  # fmt: skip
    table.caption = "added: total - sink; ratios: added over the answer without ack, same rate"
    for column in ("run", "uplinks/s", "sent", "errors", "total p50", "sink p50", "sink p99",
                   "added p50", "added p99", "added max", "ratio p50", "ratio p99"):  # fmt: skip
        table.add_column(column, justify="left" if column == "run" else "right")
    for baseline, bidir in zip(runs[::2], runs[1::2], strict=True):
        for run in (baseline, bidir):
            added = run.added_ms if run.ack else run.total_ms
            table.add_row(
                run.label,
                f"{run.rate:,.1f}",
                f"{run.sent:,}",
                f"{run.errors:,}",
                f"{pct(run.total_ms, 50):.1f}",
                f"{pct(run.sink_ms, 50):.2f}" if run.ack else "",
                f"{pct(run.sink_ms, 99):.2f}" if run.ack else "",
                f"{pct(added, 50):.1f}",
                f"{pct(added, 99):.1f}",
                f"{max(added, default=float('nan')):.1f}",
                *(f"{pct(added, p) / pct(baseline.total_ms, p):.2f}x" for p in (50, 99)),
            )
    console.print(table)
    bidir = runs[-1]
    p99 = pct(bidir.added_ms, 99)
    console.print(
        f"  {bidir.label}: added p99 <= {P99_GOAL_MS:g} ms:"
        f" {verdict(p99 <= P99_GOAL_MS and not bidir.errors)} ({p99:.1f} ms, {bidir.errors}"
        " errors)"
    )


# --- driver --------------------------------------------------------------------------------


async def run_engine(
    console: Console, engine: str, database_url: str, args: argparse.Namespace
) -> None:
    runs, maximum = await s5(console, database_url, args)
    report(console, engine, runs, maximum)


def parse_args() -> argparse.Namespace:
    parser = latency_arguments("S5 downlink round trip", "uplinks/s (half the measured max)")
    return fill_latency_defaults(parser.parse_args())


def main() -> None:
    args = parse_args()
    console = Console(width=None if Console().is_terminal else 140)
    console.print(f"{time.strftime('%Y-%m-%d %H:%M')}, load average {load_average()}")
    with tempfile.TemporaryDirectory(prefix="foxden-bench-") as workdir:
        engine = f"SQLite {sqlite3.sqlite_version}"
        run_on_uvloop(run_engine(console, engine, f"sqlite:///{workdir}/downlinks.sqlite3", args))
    if args.postgres:
        with postgres_database(args.postgres) as database_url:
            run_on_uvloop(run_engine(console, "PostgreSQL", database_url, args))
    console.print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
