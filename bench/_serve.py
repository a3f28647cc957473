"""foxden in child processes, its receivers and its stations in this one: the plumbing shared by
the latency benchmarks (``callbacks.py``'s S4 and S6, ``downlinks.py``'s S5).

foxden runs as ``foxden serve`` or ``foxden dispatch`` with the benchmark's settings (demo off,
loopback callbacks allowed, failed deliveries retried only after the run). Receivers are aiohttp
apps on this process's event loop (uvloop, as the server), and so is the open-loop client, so
that a request, a callback's arrival and an answer are all read on one monotonic clock. S1's
frames (``bench/ingest.py``) come from :class:`Frames`, for ``_load.run_load``'s closed loop
(which measures the rate the open loops take half of) as well as for the open loops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import uvloop
from aiohttp import web
from rich.console import Console
from sqlalchemy import Connection, func, select

from _load import RequestGenerator, free_port, run_load
from foxden.config import Settings
from foxden.storage.db import Database
from foxden.storage.migrate import open_database
from foxden.storage.tables import outbox

T = TypeVar("T")

#: A receiver's request handler.
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
FIRST_DEVICE = 0x100000  # device n is f"{FIRST_DEVICE + n:X}", as in bench/ingest.py
SEQUENCE_MODULO = 4096
JSON = "application/json"
UPLINK_PATH = "/network/uplinks"
PROBE_CONNECTIONS = 64  # as S1
POLL_S = 0.1
RETRY_DELAY_S = "3600"  # a failed delivery comes back after the run
FAR_MS = 1_800_000  # rows due further than this are rescheduled failures, not pending


# --- receivers in this process ----------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """``handler`` answering every path on a loopback port of its own, served by this process's
    loop; its base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


# --- foxden in child processes -------------------------------------------------------


def foxden_env(database_url: str, **extra: str) -> dict[str, str]:
    """This environment without its FOXDEN_* settings, plus the benchmark's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FOXDEN_")}
    env |= {
        "FOXDEN_DATABASE_URL": database_url,
        "FOXDEN_DEMO": "false",
        "FOXDEN_SIMULATE": "false",
        "FOXDEN_OUTBOUND_ALLOW": "127.0.0.1/32",
        "FOXDEN_CALLBACK_RETRY_DELAYS": RETRY_DELAY_S,
        "FOXDEN_LOG_LEVEL": "warning",
    }
    return env | extra


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), 60)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@contextlib.asynccontextmanager
async def foxden_server(database_url: str) -> AsyncIterator[tuple[str, int]]:
    """``foxden serve`` (dispatcher on) on ``database_url``; its base URL and PID."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "foxden", "serve", "--host", "127.0.0.1", "--port", str(port),
        env=foxden_env(database_url), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_until_answering(base, proc)
        yield base, proc.pid
    finally:
        await _stop(proc)


async def _wait_until_answering(base: str, proc: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise SystemExit(f"foxden serve exited with code {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(base + "/"):
                    return  # any status: it is up
            await asyncio.sleep(0.1)
    raise SystemExit(f"foxden serve did not answer at {base} within 60 s")


@contextlib.asynccontextmanager
async def foxden_dispatcher(database_url: str) -> AsyncIterator[tuple[float, int]]:
    """``foxden dispatch`` alone on ``database_url``; yield when its dispatcher started, and its
    PID."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "foxden", "dispatch",
        env=foxden_env(database_url, COLUMNS="500"), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        while b"dispatching" not in (line := await proc.stdout.readline()):
            if not line:
                raise SystemExit(f"foxden dispatch exited with code {await proc.wait()}")
        yield time.monotonic(), proc.pid  # printed just after Dispatcher.start()
    finally:
        await _stop(proc)


# --- the database --------------------------------------------------------------------


async def bench_database(url: str) -> Database:
    """foxden's own storage on ``url``, to provision and to poll the outbox."""
    return await open_database(Settings(database_url=url, demo=False, simulate=False))


def _pending(conn: Connection, now: int, callback_ids: Sequence[str] | None = None) -> int:
    """Outbox rows not done with: queued or claimed, not rescheduled far away after failing."""
    query = select(func.count()).select_from(outbox).where(outbox.c.due_at < now + FAR_MS)
    if callback_ids is not None:
        query = query.where(outbox.c.callback_id.in_(list(callback_ids)))
    return int(conn.execute(query).scalar_one())


async def wait_drained(
    db: Database, callback_ids: Sequence[str] | None = None, timeout: float = 1800
) -> float:
    """Poll until no row of ``callback_ids`` (all, by default) is pending; when it was seen."""
    deadline = time.monotonic() + timeout
    while await db.read(_pending, int(time.time() * 1000), callback_ids):
        if time.monotonic() > deadline:
            raise SystemExit(f"the outbox did not drain within {timeout:g} s")
        await asyncio.sleep(POLL_S)
    return time.monotonic()


async def drain_lag(database_url: str, since: float) -> float:
    """Seconds from ``since`` (monotonic) until the outbox of ``database_url`` is drained."""
    db = await bench_database(database_url)
    try:
        return await wait_drained(db) - since
    finally:
        await db.close()


async def provision(database_url: str, body: Callable[..., T], *args: Any) -> T:
    """Run one write transaction on ``database_url`` with its own short-lived connection."""
    db = await bench_database(database_url)
    try:
        return await db.write(body, *args)
    finally:
        await db.close()


# --- a station's frames ----------------------------------------------------------------


@dataclass(frozen=True)
class Frames:
    """Request ``n`` is device ``n % devices`` with sequence number ``(n // devices + 1) % 4096``
    and time ``base_time + n`` ms, from one station: S1's frames (``bench/ingest.py``), which
    never replay (for 4096 rounds of the fleet); ``ack`` asks for a downlink."""

    devices: int
    token: str
    base_time: int
    ack: bool = False

    def generator(self, start: int) -> RequestGenerator:
        """The same frames for ``_load.run_load`` (wrk's Lua, or its aiohttp fallback)."""
        lua = f"""
local authorization = {json.dumps(f"Bearer {self.token}")}
function make_request(n)
  local seq = (math.floor(n / {self.devices}) + 1) % {SEQUENCE_MODULO}
  local body = string.format(
    '{{"device":"%X","seqNumber":%d,"data":"%08x","rssi":-100,"snr":10,"time":%.0f,"ack":%s}}',
    {FIRST_DEVICE} + n % {self.devices}, seq, n % 4294967296, {self.base_time} + n,
    {json.dumps(json.dumps(self.ack))})
  return body, {{Authorization = authorization}}
end
"""
        return RequestGenerator(lua, functools.partial(frame_request, self), start)

    def frame(self, n: int) -> tuple[str, int]:
        """Request ``n``'s device and sequence number."""
        return f"{FIRST_DEVICE + n % self.devices:X}", (n // self.devices + 1) % SEQUENCE_MODULO


def frame_request(frames: Frames, n: int) -> tuple[bytes, dict[str, str]]:
    """Request ``n``'s body and headers, as the Lua generator builds them."""
    device, seq = frames.frame(n)
    body = (
        f'{{"device":"{device}","seqNumber":{seq},"data":"{n % 2**32:08x}","rssi":-100,'
        f'"snr":10,"time":{frames.base_time + n},"ack":{json.dumps(frames.ack)}}}'
    )
    return body.encode(), {"Authorization": f"Bearer {frames.token}", "Content-Type": JSON}


# --- loads -------------------------------------------------------------------------------


async def paced(rate: float, count: int, send: Callable[[int], Coroutine[Any, Any, None]]) -> None:
    """``send(0)``, ``send(1)``, ... ``send(count - 1)`` started every ``1 / rate`` s, whatever
    the earlier ones are doing; return when all are done."""
    start = time.monotonic()
    tasks: list[asyncio.Task[None]] = []
    for i in range(count):
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)


async def closed_loop_max(
    console: Console, scenario: str, frames: Frames, url: str, database_url: str, seconds: float
) -> tuple[float, int]:
    """Uplinks/s of S1's closed loop (``_load.run_load``, in its own process), once the outbox
    it filled is empty again; and the next unused request index."""
    result = await asyncio.to_thread(
        run_load,
        url,
        method="POST",
        generator=frames.generator(1),
        seconds=seconds,
        connections=PROBE_CONNECTIONS,
        check=False,
    )
    lag = await drain_lag(database_url, time.monotonic())
    console.print(
        f"{scenario}: closed loop, {PROBE_CONNECTIONS} connections: {result.rate(200):,.1f}"
        f" uplinks/s; the outbox was empty {lag:.1f} s after it stopped; load average"
        f" {load_average()}"
    )
    return result.rate(200), result.next_index


# --- report ----------------------------------------------------------------------------


def pct(samples: Sequence[float], p: float) -> float:
    """The ``p``th percentile of ``samples`` (NaN for none)."""
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(p) - 1]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(met: bool) -> str:
    return "[green]met[/]" if met else "[red]missed[/]"


def run_on_uvloop(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` on uvloop, as the server does (the receivers share this process's loop)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def latency_arguments(description: str, rate_help: str) -> argparse.ArgumentParser:
    """The options of the open-loop latency benches (S4, S5); ``fill_latency_defaults`` after
    parsing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--rate", type=float, help=rate_help)
    parser.add_argument("--seconds", type=float, help="per rate (30; 8 --quick)")
    parser.add_argument("--probe-seconds", type=float, help="closed-loop max (10; 3 --quick)")
    parser.add_argument("--devices", type=int, help="the fleet (10000; 1000 --quick)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"also on PostgreSQL; a maintenance URL (default {DEFAULT_POSTGRES}): a fresh"
        " database is created next to it and dropped at the end",
    )
    return parser


def fill_latency_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """The sizes left unset, by ``--quick``."""
    quick = args.quick
    args.seconds = args.seconds or (8.0 if quick else 30.0)
    args.probe_seconds = args.probe_seconds or (3.0 if quick else 10.0)
    args.devices = args.devices or (1_000 if quick else 10_000)
    return args
