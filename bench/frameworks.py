"""FastAPI (pydantic) vs Litestar (msgspec) on the shape of foxden's hot routes.

Three apps are served side by side under the same uvicorn settings and loaded by
the same generator (see ``_load``): a bare ASGI app (the machine's ceiling),
FastAPI with pydantic models and Litestar with msgspec Structs.  Each is loaded
with a validated uplink ``POST /network/uplinks`` and a ``GET /network/devices``
returning 20 small objects, in interleaved rounds; the table shows medians.

    .venv/bin/python bench/frameworks.py [--seconds N] [--connections C] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import msgspec
from fastapi import FastAPI
from litestar import Litestar, get, post
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from rich.console import Console
from rich.table import Table

from _load import load_tool, request, run_load, serve

UPLINK_PATH = "/network/uplinks"
DEVICES_PATH = "/network/devices"
UPLINK: dict[str, Any] = {
    "device": "1A2B3C",
    "seqNumber": 1234,
    "data": "0102030405060708090a0b0c",
    "station": "0A1B",
    "rssi": -120.5,
    "snr": 12.3,
    "freq": 868130000,
    "time": 1700000000000,
    "ack": False,
}
ACCEPTED = {"device": "1A2B3C", "seqNumber": 1234, "accepted": True}
HERE = Path(__file__).parent
HEX_ID = r"^[0-9A-Fa-f]{1,8}$"
HEX_PAYLOAD = r"^(?:[0-9A-Fa-f]{2}){0,12}$"  # 0-24 hex chars, even length


def _device_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": f"{0x1A2B00 + i:X}",
            "name": f"sensor-{i:02d}",
            "device_type_id": f"{i:024x}",
            "state": i % 3,
            "last_com": 1700000000000 + i * 1000,
            "activable": i % 2 == 0,
        }
        for i in range(20)
    ]


# --- (a) bare ASGI: read the body, answer fixed bytes ----------------------------

Message = dict[str, Any]
_BARE_POST = json.dumps(ACCEPTED, separators=(",", ":")).encode()
_BARE_ROW_KEYS = [to_camel(key) for key in _device_rows()[0]]
_BARE_GET = json.dumps(
    [dict(zip(_BARE_ROW_KEYS, row.values(), strict=True)) for row in _device_rows()],
    separators=(",", ":"),
).encode()


async def bare_app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    while (await receive()).get("more_body", False):
        pass
    payload = _BARE_POST if scope["method"] == "POST" else _BARE_GET
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", b"%d" % len(payload)),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


# --- (b) FastAPI + pydantic -------------------------------------------------------


class _Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class UplinkIn(_Camel):
    device: Annotated[str, Field(pattern=HEX_ID)]
    seq_number: Annotated[int, Field(ge=0, le=4095)]
    data: Annotated[str, Field(pattern=HEX_PAYLOAD)]
    station: Annotated[str, Field(pattern=HEX_ID)]
    rssi: float
    snr: float
    freq: int
    time: int
    ack: bool


class UplinkAccepted(_Camel):
    device: str
    seq_number: int
    accepted: bool


class DeviceOut(_Camel):
    id: str
    name: str
    device_type_id: str
    state: int
    last_com: int
    activable: bool


def create_fastapi() -> FastAPI:
    app = FastAPI()
    devices = [DeviceOut(**row) for row in _device_rows()]

    @app.post(UPLINK_PATH)
    async def ingest_uplink(uplink: UplinkIn) -> UplinkAccepted:
        return UplinkAccepted(device=uplink.device, seq_number=uplink.seq_number, accepted=True)

    @app.get(DEVICES_PATH)
    async def list_devices() -> list[DeviceOut]:
        return devices

    return app


# --- (c) Litestar + msgspec -------------------------------------------------------


class UplinkStruct(msgspec.Struct, rename="camel"):
    device: Annotated[str, msgspec.Meta(pattern=HEX_ID)]
    seq_number: Annotated[int, msgspec.Meta(ge=0, le=4095)]
    data: Annotated[str, msgspec.Meta(pattern=HEX_PAYLOAD)]
    station: Annotated[str, msgspec.Meta(pattern=HEX_ID)]
    rssi: float
    snr: float
    freq: int
    time: int
    ack: bool


class AcceptedStruct(msgspec.Struct, rename="camel"):
    device: str
    seq_number: int
    accepted: bool


class DeviceStruct(msgspec.Struct, rename="camel"):
    id: str
    name: str
    device_type_id: str
    state: int
    last_com: int
    activable: bool


def create_litestar() -> Litestar:
    devices = [DeviceStruct(**row) for row in _device_rows()]

    @post(UPLINK_PATH, status_code=200)
    async def ingest_uplink(data: UplinkStruct) -> AcceptedStruct:
        return AcceptedStruct(device=data.device, seq_number=data.seq_number, accepted=True)

    @get(DEVICES_PATH)
    async def list_devices() -> list[DeviceStruct]:
        return devices

    return Litestar(route_handlers=[ingest_uplink, list_devices])


# --- driver -----------------------------------------------------------------------

APPS = [  # (label, import string, is a factory, validates input)
    ("bare ASGI", "frameworks:bare_app", False, False),
    ("FastAPI/pydantic", "frameworks:create_fastapi", True, True),
    ("Litestar/msgspec", "frameworks:create_litestar", True, True),
]


def _call(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    if body is None:
        status, answer = request(url)
    else:
        status, answer = request(url, method="POST", body=json.dumps(body).encode())
    return status, json.loads(answer) if status == 200 else None


INVALID_UPLINKS: list[dict[str, Any]] = [
    {"device": "XYZ"},
    {"data": "abc"},
    {"seqNumber": 4096},
    {"ack": 2},
]


def _check(base: str, validates: bool) -> None:
    """Fail fast unless the app answers what the benchmark assumes."""
    problems = []
    if _call(base + UPLINK_PATH, UPLINK) != (200, ACCEPTED):
        problems.append("valid uplink not answered as expected")
    status, devices = _call(base + DEVICES_PATH)
    if status != 200 or [sorted(d) for d in devices] != [sorted(_BARE_ROW_KEYS)] * 20:
        problems.append("device list not answered as expected")
    for bad in INVALID_UPLINKS if validates else []:
        status = _call(base + UPLINK_PATH, UPLINK | bad)[0]
        if not 400 <= status < 500:
            problems.append(f"invalid uplink {bad} answered {status}")
    if problems:
        raise SystemExit(f"{base}: " + "; ".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description="FastAPI vs Litestar on foxden's hot routes")
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()

    body = json.dumps(UPLINK, separators=(",", ":")).encode()
    routes = [(UPLINK_PATH, "POST", body), (DEVICES_PATH, "GET", None)]
    labels = [label for label, *_ in APPS]
    samples: dict[tuple[str, str], list[float]] = {}
    console = Console()

    def measure(base: str, path: str, method: str, payload: bytes | None, secs: float) -> float:
        url = base + path
        res = run_load(url, method=method, body=payload, seconds=secs, connections=args.connections)
        return res.rps

    with ExitStack() as servers:
        bases: dict[str, str] = {}
        for label, target, factory, validates in APPS:
            bases[label] = servers.enter_context(serve(target, factory=factory, app_dir=HERE))
            _check(bases[label], validates)
            for path, method, payload in routes:
                measure(bases[label], path, method, payload, min(2.0, args.seconds))  # warm-up
        # All servers stay up (idle) and take turns, in a rotating order, so that
        # drift in the machine's load spreads over every app instead of one.
        for n in range(args.rounds):
            for path, method, payload in routes:
                for label in labels[n % len(labels) :] + labels[: n % len(labels)]:
                    rps = measure(bases[label], path, method, payload, args.seconds)
                    samples.setdefault((label, f"{method} {path}"), []).append(rps)
                    console.print(f"round {n + 1}  {label:<16} {method} {path:<18} {rps:>8,.0f}")

    table = Table(
        title=f"{load_tool()}, {args.connections} connections, {args.rounds} x {args.seconds:g} s,"
        f" {os.cpu_count()} cores, Python {platform.python_version()} (median of rounds)"
    )
    for column in ("app", "route", "req/s", "min-max", "vs bare"):
        table.add_column(column, justify="left" if column in ("app", "route") else "right")
    for path, method, _ in routes:
        route = f"{method} {path}"
        ceiling = statistics.median(samples[labels[0], route])
        for label in labels:
            runs = samples[label, route]
            rps = statistics.median(runs)
            spread = f"{min(runs) / 1e3:.1f}k-{max(runs) / 1e3:.1f}k"
            table.add_row(label, route, f"{rps:,.0f}", spread, f"{rps / ceiling:.2f}x")
        table.add_section()
    console.print(table)


if __name__ == "__main__":
    main()
