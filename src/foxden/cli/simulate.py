"""``foxden simulate``: devices and base stations that are not there, posting to any foxden.

Integration developers need uplinks without radios: ``foxden simulate`` runs the devices of a
database as a living fleet, ``foxden simulate uplink`` sends one frame through the stations of
your choice and shows what the server answered to each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from foxden.cli.common import console, errors, settings
from foxden.domain import ids, uplinks
from foxden.domain.clock import now_ms
from foxden.domain.device_types import DeviceType
from foxden.domain.devices import Device
from foxden.domain.errors import InvalidInput
from foxden.simulate import demo, radio, stations
from foxden.simulate.fleet import Tally, build, run
from foxden.simulate.stations import Answer
from foxden.simulate.virtual import Frame, Schedule, VirtualDevice, clock_seq
from foxden.storage import devices as storage_devices
from foxden.storage.migrate import open_database

app = typer.Typer()

DEFAULT_URL = "http://127.0.0.1:8000"

Url = Annotated[str, typer.Option(metavar="URL", help="Base URL of the foxden to post to.")]
Json = Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")]

# What the answers say about the frame as a whole, shown once rather than per reception.
_FRAME_KEYS = ("messageId", "device", "downlink")


@app.callback(invoke_without_command=True)
def simulate(
    ctx: typer.Context,
    url: Url = DEFAULT_URL,
    station_token: Annotated[
        list[str] | None,
        typer.Option(
            "--station-token",
            metavar="TOKEN",
            help="Token of a station to send through; repeat for more (default: the demo's).",
        ),
    ] = None,
    interval: Annotated[
        float,
        typer.Option(
            min=0.01, metavar="SECONDS", help="Seconds between two frames of a device, ±20%."
        ),
    ] = 10.0,
    duration: Annotated[
        float | None,
        typer.Option(
            min=0, metavar="SECONDS", help="Stop after this many seconds (default: at Ctrl-C)."
        ),
    ] = None,
    devices: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="Simulate only the first N devices, by id."),
    ] = None,
) -> None:
    """Run the devices of the database named by FOXDEN_DATABASE_URL as a simulated fleet."""
    if ctx.invoked_subcommand is not None:
        return
    tokens = station_token or [station.token for station in demo.STATIONS]
    rng = random.Random()
    fleet, left_out = build(asyncio.run(_devices())[:devices], rng)
    for reason in left_out:
        errors.print(f"[yellow]left out:[/yellow] {escape(reason)}")
    if not fleet:
        errors.print("[red]error:[/red] no device to simulate: create some first")
        raise typer.Exit(1)
    tally = Tally()
    started = time.monotonic()
    title = f"foxden simulate → {escape(url)}"
    sizes = (len(fleet), len(tokens))
    live = Live(
        get_renderable=lambda: _board(title, sizes, tally, started),
        console=console,
        transient=True,
    )
    # Ctrl-C ends a run as --duration does.
    with live, contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_drive(url, tokens, fleet, Schedule(interval), rng, tally, duration))
    console.print(_board(title, sizes, tally, started))
    if tally.receptions and not tally.accepted:
        raise typer.Exit(1)


@app.command("uplink")
def uplink(
    station_token: Annotated[
        list[str],
        typer.Option(
            "--station-token",
            metavar="TOKEN",
            help="Token of a station that hears the frame; repeat for each, in reporting order.",
        ),
    ],
    device: Annotated[str, typer.Option(metavar="ID", help="Device id, 1 to 8 hex digits.")],
    data: Annotated[str, typer.Option(metavar="HEX", help="Payload, 0 to 12 bytes as hex.")],
    url: Url = DEFAULT_URL,
    seq: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=4095,
            metavar="N",
            help="Sequence number (default: the Unix second modulo 4096).",
        ),
    ] = None,
    ack: Annotated[bool, typer.Option("--ack", help="The device asks for a downlink.")] = False,
    as_json: Json = False,
) -> None:
    """Send one frame, heard by each given station in turn, and print what each was answered."""
    try:
        device_id = ids.device_id(device)
        payload = uplinks.payload(data)
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message) from exc
    sent = now_ms()
    frame = Frame(device_id, clock_seq(sent) if seq is None else seq, payload, sent, ack)
    answers = asyncio.run(_send(url, station_token, frame))
    result = _result(frame, answers)
    if as_json:
        print(json.dumps(result))  # noqa: T201 - stdout is the interface here
    else:
        _show(result)
    if not any(answer.status == 200 for answer in answers):
        raise typer.Exit(1)


async def _devices() -> list[tuple[Device, DeviceType]]:
    db = await open_database(settings())
    try:
        return await db.read(storage_devices.find_for_simulation)
    finally:
        await db.close()


async def _drive(
    url: str,
    tokens: Sequence[str],
    fleet: Sequence[VirtualDevice],
    schedule: Schedule,
    rng: random.Random,
    tally: Tally,
    duration: float | None,
) -> None:
    async with stations.session() as http:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(duration):
                await run(http, url, tokens, fleet, schedule, rng, tally)


def _board(title: str, sizes: tuple[int, int], tally: Tally, started: float) -> Group:
    """The tally of a run of ``sizes`` (devices, stations), as it stands."""
    board = Table(show_header=False)
    board.add_column(justify="left")
    board.add_column(justify="right")
    board.add_row("devices", str(sizes[0]))
    board.add_row("stations", str(sizes[1]))
    board.add_row("seconds", f"{time.monotonic() - started:.0f}")
    board.add_row("frames sent", str(tally.frames))
    board.add_row("receptions posted", str(tally.receptions))
    board.add_row("answered 200", f"[green]{tally.accepted}[/green]")
    board.add_row("  of which duplicates", str(tally.duplicates))
    for status, count in sorted(tally.errors.items()):
        board.add_row(f"answered {status}", f"[red]{count}[/red]")
    return Group(title, board)


async def _send(url: str, tokens: Sequence[str], frame: Frame) -> list[Answer]:
    """Post ``frame`` as heard by every station of ``tokens``, one after the other."""
    rng = random.Random()
    heard = radio.receive(rng, frame.time, rng.uniform(-130, -100), range(len(tokens)))
    async with stations.session() as http:
        return [await stations.post(http, url, tokens[r.station], frame, r) for r in heard]


def _result(frame: Frame, answers: Sequence[Answer]) -> dict[str, Any]:
    """The outcome of one frame: ``station`` is the position of its ``--station-token``."""
    result: dict[str, Any] = {
        "device": frame.device,
        "seqNumber": frame.seq_number,
        "messageId": _first(answers, "messageId"),
        "receptions": [
            {
                "station": n,
                "status": answer.status,
                **{k: v for k, v in answer.body.items() if k not in _FRAME_KEYS},
            }
            for n, answer in enumerate(answers, 1)
        ],
    }
    downlink = _first(answers, "downlink")
    if downlink is not None:
        result["downlink"] = downlink
    return result


def _first(answers: Sequence[Answer], key: str) -> Any:
    return next((a.body[key] for a in answers if key in a.body), None)


def _show(result: dict[str, Any]) -> None:
    for key in ("device", "seqNumber", "messageId", "downlink"):
        if key in result:
            console.print(f"[bold]{key}[/bold]: {escape(_text(result[key]))}")
    for reception in result["receptions"]:
        details = ", ".join(
            f"{k} {_text(v)}" for k, v in reception.items() if k not in ("station", "status")
        )
        status = reception["status"] or "no answer"
        console.print(f"[bold]station {reception['station']}[/bold]: {status} {escape(details)}")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
