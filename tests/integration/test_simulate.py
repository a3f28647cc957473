from __future__ import annotations

import asyncio
import contextlib
import json
import re
from typing import Any

from sqlalchemy import Connection
from typer.testing import CliRunner, Result

from foxden.cli import app
from foxden.config import Settings
from foxden.domain import codec
from foxden.domain.clock import now_ms
from foxden.simulate import demo, fleet
from foxden.simulate.virtual import clock_seq
from foxden.storage import api_users
from tests.integration.test_serve import serving
from tests.support import expect
from tests.support.databases import Databases
from tests.support.factories import Fleet
from tests.support.factories import fleet as make_fleet
from tests.support.server import LiveServer

runner = CliRunner()

CONFIG = "temperature::int:16 humidity::uint:8 door::bool:7"


def tokens(made: Fleet) -> list[str]:
    return [arg for _, token in made.stations for arg in ("--station-token", token)]


def uplink(server: LiveServer, made: Fleet, *args: str) -> tuple[Result, dict[str, Any]]:
    result = runner.invoke(
        app, ["simulate", "uplink", "--url", server.url, *tokens(made), *args, "--json"]
    )
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.output
    parsed: dict[str, Any] = json.loads(lines[0])
    return result, parsed


def by_device(state: expect.State) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for message in state.messages:
        found.setdefault(str(message["device_id"]), []).append(message)
    return found


def test_uplink_through_two_stations_is_one_message_and_a_duplicate(server: LiveServer) -> None:
    made = make_fleet(server, stations=2, payload_config=CONFIG)
    device_id = made.device_ids[0]
    result, answer = uplink(
        server, made, "--device", device_id.lower(), "--data", "00d72880", "--seq", "7"
    )
    assert result.exit_code == 0
    message_id = answer["messageId"]
    assert isinstance(message_id, int)
    assert answer == {
        "device": device_id,
        "seqNumber": 7,
        "messageId": message_id,
        "receptions": [
            {"station": 1, "status": 200, "duplicate": False, "forwarded": True},
            {"station": 2, "status": 200, "duplicate": True, "forwarded": True},
        ],
    }
    state = server.read(expect.read_state)
    expect.messages_count(1)(state)
    expect.message_field(0, "id", message_id)(state)
    expect.message_field(0, "seq_number", 7)(state)
    expect.message_field(0, "decoded", {"temperature": 215, "humidity": 40, "door": True})(state)
    assert state.receptions[message_id] == [station for station, _ in made.stations]


def test_uplink_takes_its_sequence_number_from_the_clock(server: LiveServer) -> None:
    made = make_fleet(server, stations=1)
    before = now_ms()
    result, answer = uplink(server, made, "--device", made.device_ids[0], "--data", "")
    seconds = now_ms() // 1000 - before // 1000
    assert result.exit_code == 0
    assert (answer["seqNumber"] - clock_seq(before)) % 4096 <= seconds
    assert answer["receptions"] == [
        {"station": 1, "status": 200, "duplicate": False, "forwarded": True}
    ]


def test_uplink_reports_each_refusal_and_fails(server: LiveServer) -> None:
    made = make_fleet(server, stations=1)
    device_id = made.device_ids[0]
    assert (
        uplink(server, made, "--device", device_id, "--data", "01", "--seq", "9")[0].exit_code == 0
    )
    result, replay = uplink(server, made, "--device", device_id, "--data", "01", "--seq", "8")
    assert result.exit_code == 1
    assert replay["messageId"] is None
    [refused] = replay["receptions"]
    assert (refused["station"], refused["status"], refused["code"]) == (1, 409, "conflict")
    frame = ["--device", device_id, "--data", "01", "--seq", "10", "--json"]
    result = runner.invoke(
        app, ["simulate", "uplink", "--url", server.url, "--station-token", "wrong", *frame]
    )
    assert result.exit_code == 1
    unknown = json.loads(result.stdout)["receptions"][0]
    assert (unknown["status"], unknown["code"]) == (401, "unauthenticated")


def test_uplink_refuses_bad_input_before_sending(server: LiveServer) -> None:
    made = make_fleet(server, stations=1)
    result = runner.invoke(
        app,
        ["simulate", "uplink", "--url", server.url, *tokens(made), "--device", "XYZ", "--data", ""],
    )
    assert result.exit_code == 2
    result = runner.invoke(
        app,
        ["simulate", "uplink", "--url", server.url, *tokens(made), "--device", "1", "--data", "0"],
    )
    assert result.exit_code == 2
    assert server.read(expect.count_rows) == 0


def test_the_fleet_sends_decodable_frames_with_advancing_sequence_numbers(
    server: LiveServer, database_url: str
) -> None:
    made = make_fleet(server, devices=3, stations=3, payload_config=CONFIG)
    seasoned = made.device_ids[0]
    uplink(server, made, "--device", seasoned, "--data", "00d72880", "--seq", "4094")
    result = runner.invoke(
        app,
        ["simulate", "--url", server.url, *tokens(made), "--interval", "0.05", "--duration", "2"],
        env={"FOXDEN_DATABASE_URL": database_url, "COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"devices\s+│\s+3\s+│", result.stdout), result.stdout
    assert re.search(r"stations\s+│\s+3\s+│", result.stdout), result.stdout
    answered = [line for line in result.stdout.splitlines() if "answered" in line]
    assert len(answered) == 1 and "answered 200" in answered[0], result.stdout
    state = server.read(expect.read_state)
    sent = by_device(state)
    assert sorted(sent) == sorted(made.device_ids)
    assert [m["seq_number"] for m in sent[seasoned]][:3] == [4094, 4095, 0]
    for device_id, messages in sent.items():
        numbers = [m["seq_number"] for m in messages]
        first = 4094 if device_id == seasoned else 0
        assert numbers == [(first + n) % 4096 for n in range(len(numbers))]
    compiled = codec.compile(CONFIG)
    for message in state.messages:
        assert message["decode_error"] is None
        assert message["decoded"] == compiled.decode(bytes.fromhex(str(message["data"]))).values
        decoded = message["decoded"]
        assert isinstance(decoded, dict)
        assert -200 <= decoded["temperature"] <= 450 and 10 <= decoded["humidity"] <= 95
        stations = state.receptions[int(str(message["id"]))]
        assert 1 <= len(stations) <= 3 and len(set(stations)) == len(stations)
        assert message["stations"] == len(stations)


def test_the_fleet_needs_devices(database_url: str) -> None:
    result = runner.invoke(
        app, ["simulate", "--duration", "1"], env={"FOXDEN_DATABASE_URL": database_url}
    )
    assert result.exit_code == 1
    assert "no device to simulate" in result.stderr


def _demo_group(conn: Connection) -> str:
    user = api_users.get(conn, demo.API_LOGIN)
    assert user is not None
    return user.group_id


def test_the_demo_fleet_runs_against_its_own_server(settings: Settings) -> None:
    live = LiveServer(settings.model_copy(update={"demo": True, "simulate": False}))
    try:

        async def run_for_a_while() -> None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await fleet.run_demo(live.runtime.db, live.url, group_id, interval=0.5)

        group_id = live.read(_demo_group)
        live.call(run_for_a_while)
        state = live.read(expect.read_state)
    finally:
        live.stop()
    configs = {p.id_prefix >> 12: codec.compile(p.payload_config) for p in demo.PRODUCTS}
    assert len(state.messages) > 0
    for message in state.messages:
        compiled = configs[int(str(message["device_id"]), 16) >> 12]
        assert message["decode_error"] is None
        assert message["decoded"] == compiled.decode(bytes.fromhex(str(message["data"]))).values
    assert {str(m["device_id"])[0] for m in state.messages} == {"1", "2"}


def test_serve_says_whether_the_demo_devices_are_simulated(databases: Databases) -> None:
    url = databases.empty()
    with serving(url) as (_, lines):
        assert "simulator: each demo device sends an uplink" in "".join(lines)
    with serving(url, "--no-simulate") as (_, lines):
        assert "simulator" not in "".join(lines)
