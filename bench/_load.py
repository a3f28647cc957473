"""Shared plumbing for foxden's HTTP benchmarks: serve an app, load it, report req/s.

Every benchmark in ``bench/`` has to answer the same kind of question ("how many
requests per second does this ASGI app sustain here?"), and the answer is only
worth something if every candidate runs under identical conditions.  This module
fixes those conditions in one place: :func:`serve` runs an ASGI app (an import
string, optionally a factory) under uvicorn in a child process with uvloop,
httptools, one worker and no access log, on a free port of 127.0.0.1, and waits
until it answers; :func:`run_load` then drives it with ``wrk`` when that is on
PATH (a generated Lua script sets the method and body and counts every non-2xx
response), or otherwise with an aiohttp client in a separate process (keep-alive,
N concurrent connections, fixed duration; much slower, so it caps the measurable
rate sooner).  Any non-2xx response or socket error fails the run loudly, since a
fast error page is not a result.
"""

from __future__ import annotations

import asyncio
import http.client
import multiprocessing
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LoadError", "LoadResult", "load_tool", "request", "run_load", "serve"]


class LoadError(RuntimeError):
    """A load run saw non-2xx responses or socket errors."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(
            f"{result.errors} of {result.requests} requests failed "
            f"(non-2xx or socket error) against {result.url}"
        )
        self.result = result


@dataclass(frozen=True)
class LoadResult:
    url: str
    tool: str
    requests: int
    errors: int
    seconds: float

    @property
    def rps(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.errors) / self.seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    content_type: str = "application/json",
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """One plain HTTP request (for sanity checks before a load run): status and body."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        conn.request(method, parts.path or "/", body=body, headers=headers)
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
    port = _free_port()
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
            proc.wait(timeout=10)
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
    seconds: float = 10.0,
    connections: int = 64,
    threads: int = 1,
    tool: str | None = None,
    check: bool = True,
) -> LoadResult:
    """Load ``url`` for ``seconds``; raise :class:`LoadError` on any failure if ``check``."""
    tool = tool or load_tool()
    headers = {"Content-Type": content_type} if body is not None else {}
    if tool == "wrk":
        result = _run_wrk(url, method, body, headers, seconds, connections, threads)
    elif tool == "aiohttp":
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            job = pool.submit(_aiohttp_main, url, method, body, headers, seconds, connections)
            result = job.result()
    else:
        raise ValueError(f"unknown load tool {tool!r}")
    if check and (result.errors or not result.requests):
        raise LoadError(result)
    return result


# --- wrk ------------------------------------------------------------------------

_WRK_LUA = """
wrk.method = {method}
wrk.body = {body}
{headers}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  bad = bad + e.connect + e.read + e.write + e.timeout
  io.write(string.format("FOXDEN-RESULT %d %d %d\\n", summary.requests, summary.duration, bad))
end
"""


def _lua_string(raw: bytes) -> str:
    return '"' + "".join(f"\\{byte}" for byte in raw) + '"'


def _run_wrk(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    seconds: float,
    connections: int,
    threads: int,
) -> LoadResult:
    lua = _WRK_LUA.format(
        method=_lua_string(method.encode()),
        body=_lua_string(body) if body is not None else "nil",
        headers="\n".join(
            f"wrk.headers[{_lua_string(k.encode())}] = {_lua_string(v.encode())}"
            for k, v in headers.items()
        ),
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua)
        script.flush()
        cmd = [
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "-s", script.name, url,
        ]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("FOXDEN-RESULT "):
            requests, duration_us, errors = map(int, line.split()[1:])
            return LoadResult(url, "wrk", requests, errors, duration_us / 1e6)
    raise RuntimeError(f"could not parse wrk output:\n{out}")


# --- aiohttp fallback (runs in its own process) ----------------------------------


def _aiohttp_main(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    seconds: float,
    connections: int,
) -> LoadResult:
    requests, errors, elapsed = asyncio.run(
        _aiohttp_load(url, method, body, headers, seconds, connections)
    )
    return LoadResult(url, "aiohttp", requests, errors, elapsed)


async def _aiohttp_load(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    seconds: float,
    connections: int,
) -> tuple[int, int, float]:
    import aiohttp  # only the fallback needs it

    requests = errors = 0
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = loop.time()
        deadline = start + seconds

        async def one_connection() -> None:
            nonlocal requests, errors
            while loop.time() < deadline:
                requests += 1
                try:
                    async with session.request(method, url, data=body, headers=headers) as resp:
                        await resp.read()
                        if not 200 <= resp.status < 300:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1

        await asyncio.gather(*(one_connection() for _ in range(connections)))
        elapsed = loop.time() - start
    return requests, errors, elapsed
