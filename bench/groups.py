"""How close does foxden's real ``GET /api/groups`` come to the machine's HTTP ceiling?

``bench/frameworks.py`` compared frameworks on canned routes with no database and no auth; this
script measures a real foxden route end to end: HTTP Basic auth (a database read for the API user,
then the in-memory cache of verified passwords), a second read for the child groups, and the
pydantic response. It serves, side by side under the same uvicorn settings and load generator
(see ``_load``), the bare ASGI app of ``frameworks.py`` (the ceiling) and the whole foxden app
(:func:`create_bench_app`, a factory reading ``BENCH_DATABASE_URL``) on a fresh SQLite file holding
the demo fleet, and optionally on a fresh PostgreSQL database (``--postgres`` takes a maintenance
URL; the database is created, then dropped at the end). Every server is checked first (the demo
API user must see exactly 2 groups, and no credentials must give a 401); the servers then take
turns in interleaved rounds, and the table shows medians.

    .venv/bin/python bench/groups.py [--seconds N] [--connections C] [--rounds R] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import statistics
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # no stubs or py.typed
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from _load import load_tool, request, run_load, serve
from foxden.app import create_app
from foxden.config import Settings
from foxden.simulate.demo import API_LOGIN, API_PASSWORD

HERE = Path(__file__).parent
URL_VARIABLE = "BENCH_DATABASE_URL"
BARE_PATH = "/"  # frameworks.bare_app answers any GET path with the same fixed JSON
GROUPS_PATH = "/api/groups"
DEMO_CHILD_GROUPS = 2
AUTHORIZATION = "Basic " + base64.b64encode(f"{API_LOGIN}:{API_PASSWORD}".encode()).decode()


def create_bench_app() -> FastAPI:
    """The whole foxden server on ``$BENCH_DATABASE_URL``, demo fleet loaded (uvicorn factory).

    The demo's simulated devices stay off: they would load the server from inside while it is
    measured.
    """
    settings = Settings(database_url=os.environ[URL_VARIABLE], demo=True, simulate=False)
    return create_app(settings)


def _load(url: str, headers: dict[str, str], seconds: float, connections: int) -> float:
    """Successful GETs per second on ``url``; raise on any non-2xx or socket error."""
    return run_load(url, headers=headers, seconds=seconds, connections=connections).rps


def _check_groups(url: str) -> None:
    """Fail fast unless foxden answers what the benchmark assumes."""
    status, body = request(url, headers={"Authorization": AUTHORIZATION}, timeout=10)
    answer: Any = json.loads(body) if status == 200 else None
    if not isinstance(answer, dict) or len(answer.get("data", ())) != DEMO_CHILD_GROUPS:
        raise SystemExit(f"{url}: expected {DEMO_CHILD_GROUPS} groups, got {status} {body!r}")
    status, body = request(url, timeout=10)
    if status != 401:
        raise SystemExit(f"{url}: expected 401 without credentials, got {status} {body!r}")


def _check_bare(url: str) -> None:
    status, body = request(url, timeout=10)
    if status != 200 or not isinstance(json.loads(body), list):
        raise SystemExit(f"{url}: bare app answered {status} {body!r}")


# --- a throwaway PostgreSQL database -----------------------------------------------


async def _pg_admin(maintenance_url: str, statement: str) -> None:
    conn = await asyncpg.connect(maintenance_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def postgres_database(maintenance_url: str) -> Iterator[str]:
    """Create an empty database next to ``maintenance_url``'s; yield its URL; drop it after."""
    name = f"foxden_bench_{os.getpid()}"
    asyncio.run(_pg_admin(maintenance_url, f"CREATE DATABASE {name}"))
    try:
        yield make_url(maintenance_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(maintenance_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextmanager
def serve_foxden(database_url: str) -> Iterator[str]:
    """Serve foxden (demo fleet loaded) on ``database_url``; yield its base URL."""
    with ExitStack() as stack:
        os.environ[URL_VARIABLE] = database_url  # the uvicorn child reads it at its start
        try:
            base = stack.enter_context(serve("groups:create_bench_app", factory=True, app_dir=HERE))
        finally:
            del os.environ[URL_VARIABLE]
        yield base


# --- driver -----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description="foxden's GET /api/groups vs bare ASGI")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also measure on PostgreSQL; a maintenance URL such as"
        " postgresql://postgres@127.0.0.1:5432/test (a fresh database is created and dropped)",
    )
    args = parser.parse_args()
    console = Console()
    # (label, URL to load, request headers)
    targets: list[tuple[str, str, dict[str, str]]] = []
    samples: dict[str, list[float]] = {}

    with ExitStack() as stack:
        bare = stack.enter_context(serve("frameworks:bare_app", app_dir=HERE))
        _check_bare(bare + BARE_PATH)
        targets.append(("bare ASGI", bare + BARE_PATH, {}))

        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="foxden-bench-")))
        sqlite_url = f"sqlite:///{workdir / 'foxden.sqlite3'}"
        databases = [("foxden, SQLite", sqlite_url)]
        if args.postgres:
            databases.append(
                ("foxden, PostgreSQL", stack.enter_context(postgres_database(args.postgres)))
            )
        for label, database_url in databases:
            base = stack.enter_context(serve_foxden(database_url))
            _check_groups(base + GROUPS_PATH)
            targets.append((label, base + GROUPS_PATH, {"Authorization": AUTHORIZATION}))

        for _label, url, headers in targets:  # warm-up
            _load(url, headers, min(2.0, args.seconds), args.connections)
        # All servers stay up (idle) and take turns in a rotating order, so that drift in the
        # machine's load spreads over every target instead of landing on one.
        for n in range(args.rounds):
            shift = n % len(targets)
            for label, url, headers in targets[shift:] + targets[:shift]:
                rps = _load(url, headers, args.seconds, args.connections)
                samples.setdefault(label, []).append(rps)
                console.print(f"round {n + 1}  {label:<20} {rps:>8,.0f} req/s")

    table = Table(
        title=f"{load_tool()}, {args.connections} connections, {args.rounds} x {args.seconds:g} s,"
        f" {os.cpu_count()} cores, Python {platform.python_version()} (median of rounds)"
    )
    for column in ("app", "route", "req/s", "min-max", "vs bare"):
        table.add_column(column, justify="left" if column in ("app", "route") else "right")
    ceiling = statistics.median(samples[targets[0][0]])
    for label, url, _ in targets:
        runs = samples[label]
        rps = statistics.median(runs)
        route = "GET " + urllib.parse.urlsplit(url).path
        spread = f"{min(runs):,.0f}-{max(runs):,.0f}"
        table.add_row(label, route, f"{rps:,.0f}", spread, f"{rps / ceiling:.3f}x")
    console.print(table)


if __name__ == "__main__":
    main()
