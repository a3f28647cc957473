"""Shared plumbing for foxden's HTTP benchmarks: serve an app, load it, report req/s.

Every benchmark in ``bench/`` has to answer the same kind of question ("how many
requests per second does this ASGI app sustain here?"), and the answer is only
worth something if every candidate runs under identical conditions.  This module
fixes those conditions in one place: :func:`serve` runs an ASGI app (an import
string, optionally a factory) under uvicorn in a child process with uvloop,
httptools, one worker and no access log, on a free port of 127.0.0.1, and waits
until it answers; :func:`run_load` then drives it with ``wrk`` when that is on
PATH (a generated Lua script sets the method, headers and body, counts every
response by status and reports wrk's latency percentiles), or otherwise with an
aiohttp client in a separate process (keep-alive, N concurrent connections, fixed
duration; much slower, so it caps the measurable rate sooner).

A load can send the same request over and over, or build each request from its
index with a :class:`RequestGenerator`: a Lua function for wrk (and, optionally, a
Python one for the aiohttp fallback) turning ``n`` = 0, 1, 2, ... into a body and
extra headers.  Write routes need that: foxden refuses a replayed frame, so every
request of an ingest load must carry a different device or sequence number.  The
indices are unique across wrk's threads and connections, and a second load can go
on where a first one stopped (``LoadResult.next_index``).

By default any non-2xx response or socket error fails the run loudly, since a fast
error page is not a result; with ``check=False`` the caller gets the counts instead.
"""

from __future__ import annotations

import asyncio
import http.client
import itertools
import multiprocessing
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "LoadError",
    "LoadResult",
    "RequestGenerator",
    "free_port",
    "load_tool",
    "request",
    "run_load",
    "serve",
]

#: Percentiles every load reports (wrk's own histogram, or the aiohttp client's samples).
PERCENTILES = (50.0, 90.0, 99.0)

#: Python side of a generator: request index -> (body, extra headers).
PythonGenerator = Callable[[int], tuple[bytes, dict[str, str]]]


class LoadError(RuntimeError):
    """A load run saw non-2xx responses or socket errors."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(
            f"{result.errors} of {result.requests} requests failed "
            f"(non-2xx or socket error) against {result.url}: statuses {result.statuses}"
        )
        self.result = result


@dataclass(frozen=True)
class RequestGenerator:
    """Builds each request of a load from its index ``n`` (``start``, ``start + 1``, ...).

    ``lua`` must define ``function make_request(n)`` returning the body (a string, or nil for
    none) and optionally a table of extra headers; it runs in every wrk thread (LuaJIT, Lua 5.1:
    no ``//`` operator, use ``math.floor``), and may keep upvalues of its own.  ``python`` does
    the same for the aiohttp fallback; it must be picklable (a module-level function or a
    ``functools.partial`` of one), since the client runs in another process.  Indices are
    unique within a load; a few may be skipped (wrk builds one request before the run to check
    the script), never repeated.
    """

    lua: str
    python: PythonGenerator | None = None
    start: int = 0


@dataclass(frozen=True)
class LoadResult:
    url: str
    tool: str
    requests: int  # answered requests, whatever their status
    errors: int  # non-2xx answers plus socket errors
    seconds: float
    statuses: Mapping[int, int] = field(default_factory=dict)  # answers by HTTP status
    socket_errors: int = 0  # connect, read, write errors and timeouts
    latency_ms: Mapping[float, float] = field(default_factory=dict)  # percentile -> ms
    next_index: int = 0  # a generator's first unused index: where a next load may start

    @property
    def rps(self) -> float:
        """Successful (2xx) requests per second."""
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300) / self.seconds

    def count(self, status: int) -> int:
        """How many answers had ``status``."""
        return self.statuses.get(status, 0)

    def rate(self, status: int = 200) -> float:
        """Answers with ``status`` per second."""
        return self.count(status) / self.seconds


def free_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of asking."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _request_headers(
    body: bytes | None, content_type: str, headers: Mapping[str, str] | None
) -> dict[str, str]:
    merged = {"Content-Type": content_type} if body is not None else {}
    merged.update(headers or {})
    return merged


def request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """One plain HTTP request (for sanity checks before a load run): status and body."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        sent = _request_headers(body, content_type, headers)
        conn.request(method, parts.path or "/", body=body, headers=sent)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before answering")
        try:
            request(url, timeout=1)
            return  # any HTTP status means the server is up
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"server at {url} did not answer within {timeout} s")


@contextmanager
def serve(
    app: str,
    *,
    factory: bool = False,
    app_dir: Path | str | None = None,
    startup_timeout: float = 15.0,
) -> Iterator[str]:
    """Run ``app`` ("module:attr") under uvicorn in a child process; yield its base URL."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", app,
        "--host", "127.0.0.1", "--port", str(port),
        "--loop", "uvloop", "--http", "httptools", "--workers", "1",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    if factory:
        cmd.append("--factory")
    if app_dir is not None:
        cmd += ["--app-dir", str(app_dir)]
    base_url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        _wait_until_answering(base_url + "/", proc, startup_timeout)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load_tool() -> str:
    """The load generator :func:`run_load` will use: ``"wrk"`` or ``"aiohttp"``."""
    return "wrk" if shutil.which("wrk") else "aiohttp"


def run_load(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
    generator: RequestGenerator | None = None,
    seconds: float = 10.0,
    connections: int = 64,
    threads: int = 1,
    tool: str | None = None,
    check: bool = True,
) -> LoadResult:
    """Load ``url`` for ``seconds``; raise :class:`LoadError` on any failure if ``check``.

    ``headers`` go with every request (after ``Content-Type``, which they may override); with a
    ``generator``, each request's body and extra headers come from it and ``body`` is unused
    (``content_type`` is still sent).
    """
    tool = tool or load_tool()
    sent = _request_headers(body if generator is None else b"", content_type, headers)
    if tool == "wrk":
        result = _run_wrk(url, method, body, sent, generator, seconds, connections, threads)
    elif tool == "aiohttp":
        if generator is not None and generator.python is None:
            raise ValueError("the aiohttp fallback needs RequestGenerator.python")
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            job = pool.submit(
                _aiohttp_main, url, method, body, sent, generator, seconds, connections
            )
            result = job.result()
    else:
        raise ValueError(f"unknown load tool {tool!r}")
    if check and (result.errors or not result.requests):
        raise LoadError(result)
    return result


# --- wrk ------------------------------------------------------------------------
# setup() runs in wrk's main Lua state once per thread, before that thread's init(); it numbers
# the threads so that thread t of T builds requests start + t, start + t + T, start + t + 2T...
# done() runs in the main state and reads each thread's counters with thread:get().

_WRK_LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
local first_index = {start}
local thread_count = {threads}
local threads = {{}}
function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end
function init(args)
  statuses = {{}}
  issued = 0
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {{}}
  local most_issued = 0
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do counts[status] = (counts[status] or 0) + n end
    most_issued = math.max(most_issued, t:get("issued"))
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("FOXDEN-RESULT %d %d %d %.0f\\n", summary.requests, summary.duration,
    socket_errors, first_index + most_issued * thread_count))
  for status, n in pairs(counts) do io.write(string.format("FOXDEN-STATUS %d %d\\n", status, n)) end
  for _, p in ipairs({{{percentiles}}}) do
    io.write(string.format("FOXDEN-LATENCY %g %d\\n", p, latency:percentile(p)))
  end
end
"""

# Only with a generator: wrk then calls request() for every request it sends.
_WRK_GENERATED = """
{lua}
function request()
  local n = first_index + issued * thread_count + thread_index
  issued = issued + 1
  local body, extra = make_request(n)
  local headers = {{}}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  if extra then for k, v in pairs(extra) do headers[k] = v end end
  return wrk.format(nil, nil, headers, body)
end
"""


def _lua_string(raw: bytes) -> str:
    return '"' + "".join(f"\\{byte}" for byte in raw) + '"'


def _wrk_script(
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    generator: RequestGenerator | None,
    threads: int,
) -> str:
    lua = _WRK_LUA.format(
        method=_lua_string(method.encode()),
        body=_lua_string(body) if body is not None and generator is None else "nil",
        headers="\n".join(
            f"wrk.headers[{_lua_string(k.encode())}] = {_lua_string(v.encode())}"
            for k, v in headers.items()
        ),
        start=generator.start if generator else 0,
        threads=threads,
        percentiles=", ".join(f"{p:g}" for p in PERCENTILES),
    )
    if generator is not None:
        lua += _WRK_GENERATED.format(lua=generator.lua)
    return lua


def _run_wrk(
    url: str,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    generator: RequestGenerator | None,
    seconds: float,
    connections: int,
    threads: int,
) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(_wrk_script(method, body, headers, generator, threads))
        script.flush()
        cmd = [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "-s", script.name, url,
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary: tuple[int, int, int, int] | None = None
    statuses: dict[int, int] = {}
    latency: dict[float, float] = {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "FOXDEN-RESULT":
            answered, duration_us, socket_errors, next_index = map(int, rest.split())
            summary = (answered, duration_us, socket_errors, next_index)
        elif kind == "FOXDEN-STATUS":
            status, n = map(int, rest.split())
            statuses[status] = n
        elif kind == "FOXDEN-LATENCY":
            percentile, micros = rest.split()
            latency[float(percentile)] = int(micros) / 1e3
    if summary is None:
        raise RuntimeError(f"could not parse wrk output:\n{done.stdout}\n{done.stderr}")
    answered, duration_us, socket_errors, next_index = summary
    non_2xx = sum(n for status, n in statuses.items() if not 200 <= status < 300)
    return LoadResult(
        url,
        "wrk",
        answered,
        non_2xx + socket_errors,
        duration_us / 1e6,
        statuses=statuses,
        socket_errors=socket_errors,
        latency_ms=latency,
        next_index=next_index if generator else 0,
    )


# --- aiohttp fallback (runs in its own process) ----------------------------------


def _aiohttp_main(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    generator: RequestGenerator | None,
    seconds: float,
    connections: int,
) -> LoadResult:
    return asyncio.run(_aiohttp_load(url, method, body, headers, generator, seconds, connections))


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _aiohttp_load(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    generator: RequestGenerator | None,
    seconds: float,
    connections: int,
) -> LoadResult:
    import aiohttp  # only the fallback needs it

    statuses: dict[int, int] = {}
    latencies: list[float] = []
    socket_errors = 0
    indices = itertools.count(generator.start if generator else 0)
    make = generator.python if generator else None
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = loop.time()
        deadline = start + seconds

        async def one_connection() -> None:
            nonlocal socket_errors
            while loop.time() < deadline:
                payload, sent = body, headers
                if make is not None:
                    payload, extra = make(next(indices))
                    sent = {**headers, **extra}
                began = loop.time()
                try:
                    async with session.request(method, url, data=payload, headers=sent) as resp:
                        await resp.read()
                        statuses[resp.status] = statuses.get(resp.status, 0) + 1
                        latencies.append(loop.time() - began)
                except aiohttp.ClientError:
                    socket_errors += 1

        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = loop.time() - start
    latencies.sort()
    non_2xx = sum(n for status, n in statuses.items() if not 200 <= status < 300)
    return LoadResult(
        url,
        "aiohttp",
        sum(statuses.values()),
        non_2xx + socket_errors,
        elapsed,
        statuses=statuses,
        socket_errors=socket_errors,
        latency_ms={p: _percentile(latencies, p) * 1e3 for p in PERCENTILES},
        next_index=next(indices) if generator else 0,
    )
