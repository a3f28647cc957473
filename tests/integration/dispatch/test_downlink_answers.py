"""Downlink answers to frames with ``ack``: DIRECT with its variables, CALLBACK through a real
BIDIR receiver answering in time, late, with garbage or with no data, and the Sigfox Cloud
route's BIDIR answer format."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from foxden.config import Settings
from foxden.domain.clock import DAY_MS
from foxden.storage import device_days, messages
from foxden.storage.callback_attempts import Attempt
from tests.integration.dispatch.conftest import (
    attempts_of,
    create_callbacks,
    outbox_size,
    place_station,
    url_callback,
    wait_until,
)
from tests.support import factories
from tests.support.factories import Fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.uplinks import BASE_TIME, uplink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A short receive window, so that a late receiver is late quickly.
    return settings.model_copy(update={"downlink_timeout": 1.0})


@pytest.fixture
def made(server: LiveServer) -> Fleet:
    return factories.fleet(server, callbacks=())


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def edit_device_type(client: httpx.Client, made: Fleet, **fields: Any) -> None:
    edited = client.post(
        "/api/devicetypes/edit", json={"id": made.device_type_id, **fields}, auth=made.tenant.auth
    )
    assert edited.status_code == 200, edited.text


def downlink_callback(client: httpx.Client, made: Fleet, url: str) -> str:
    """A DATA BIDIR URL callback, selected for downlinks, on a device type in CALLBACK mode."""
    [callback_id] = create_callbacks(
        client,
        made,
        url_callback(
            url,
            callbackSubtype=3,
            contentType="application/json",
            bodyTemplate=(
                '{"device": "{device}", "ack": {ack}, "data": "{data}", "seq": {seqNumber},'
                ' "time": {time}, "station": "{station}", "rssi": {rssi}, "lat": {lat}}'
            ),
        ),
    )
    selected = client.post(
        f"/api/devicetypes/{made.device_type_id}/callbacks/{callback_id}/downlink",
        auth=made.tenant.auth,
    )
    assert selected.status_code == 200, selected.text
    edit_device_type(client, made, downlinkMode=1)
    return callback_id


def stored(server: LiveServer, message_id: int) -> tuple[str | None, str | None, str | None]:
    """What the message records of its downlink, once the downlink callback's outcome is."""

    def settled() -> tuple[str | None, str | None, str | None] | None:
        message = server.read(messages.get, message_id)
        assert message is not None
        if message.downlink_status == "pending":
            return None
        return message.downlink_status, message.downlink_data, message.downlink_info

    return wait_until(settled)


def answer_for(device: str, data: str) -> bytes:
    return json.dumps({device: {"downlinkData": data}}).encode()


def test_direct_mode_answers_the_data_string_with_its_variables(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    edit_device_type(client, made, downlinkMode=0, downlinkDataString="{time}{tapId}{rssi}")
    station_id = made.stations[1][0]

    got = uplink(client, made, seq=1, station=1, rssi=-101.4, ack=True)

    expected = f"{BASE_TIME // 1000:08x}{int(station_id, 16) & 0xFFFF:04x}ff9b"
    assert got["downlink"] == {"status": "sent", "data": expected}
    assert stored(server, got["messageId"]) == ("sent", expected, None)
    listed = client.get(f"/api/devices/{made.device_ids[0]}/messages", auth=made.tenant.auth)
    assert listed.json()["data"][0]["downlinkAnswerStatus"] == {"status": "sent", "data": expected}
    uplinks, _, downlinks = server.read(device_days.get, made.device_ids[0], BASE_TIME // DAY_MS)
    assert (uplinks, downlinks) == (1, 1)


def test_a_frame_without_ack_and_a_duplicate_get_no_downlink(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    edit_device_type(client, made, downlinkMode=0, downlinkDataString="0102030405060708")

    assert "downlink" not in uplink(client, made, seq=1)
    first = uplink(client, made, seq=2, station=0, ack=True)
    again = uplink(client, made, seq=2, station=1, ack=True)

    assert first["downlink"] == {"status": "sent", "data": "0102030405060708"}
    assert again["duplicate"] is True and "downlink" not in again
    _, _, downlinks = server.read(device_days.get, made.device_ids[0], BASE_TIME // DAY_MS)
    assert downlinks == 1


def test_no_downlink_mode_and_a_missing_data_string_send_nothing(
    client: httpx.Client, made: Fleet
) -> None:
    assert uplink(client, made, seq=1, ack=True)["downlink"] == {"status": "not_configured"}
    edit_device_type(client, made, downlinkMode=2)
    assert uplink(client, made, seq=2, ack=True)["downlink"] == {"status": "no_data"}


def test_callback_mode_returns_the_receivers_downlink_at_once(
    server: LiveServer, client: httpx.Client, made: Fleet, sink: HttpSink
) -> None:
    device = made.device_ids[0]
    callback_id = downlink_callback(client, made, f"{sink.url}/bidir")
    sink.answer(200, answer_for(device, "DEADBEEFCAFEBABE"), "application/json")

    place_station(server, made.stations[0][0], 43.6, 1.44)

    got = uplink(client, made, seq=1, data="a1b2", ack=True, rssi=-120.25)

    assert got["downlink"] == {"status": "sent", "data": "deadbeefcafebabe"}
    [request] = sink.requests
    assert request.json() == {
        "device": device,
        "ack": True,
        "data": "a1b2",
        "seq": 1,
        "time": BASE_TIME // 1000,
        "station": made.stations[0][0],
        "rssi": -120.25,
        "lat": 44,
    }
    assert stored(server, got["messageId"]) == ("sent", "deadbeefcafebabe", None)
    [attempt] = attempts_of(server, got["messageId"])
    assert (attempt.callback_id, attempt.status, attempt.failed) == (callback_id, 200, False)
    assert server.read(outbox_size) == 0


def test_a_frame_without_ack_reaches_the_downlink_callback_through_the_dispatcher(
    server: LiveServer, client: httpx.Client, made: Fleet, sink: HttpSink
) -> None:
    downlink_callback(client, made, f"{sink.url}/bidir")
    sink.answer(200, answer_for(made.device_ids[0], "0000000000000000"), "application/json")

    got = uplink(client, made, seq=1)

    assert "downlink" not in got
    [request] = sink.wait_for(1)
    assert request.json()["ack"] is False
    assert request.json()["seq"] == 1
    assert stored(server, got["messageId"]) == (None, None, None)


@pytest.mark.parametrize(
    ("status", "body", "expected", "info"),
    [
        (200, b"downlink please", "invalid", "the answer is not JSON"),
        (200, b'{"F000": {"downlinkData": "0102"}}', "invalid", "must be 16 hex digits"),
        (200, b'{"BEEF": {"downlinkData": "0102030405060708"}}', "invalid", "no entry"),
        (200, b'{"f000": {"noData": true}}', "no_data", None),
        (204, b"", "no_data", None),
    ],
)
def test_an_answer_that_is_no_downlink_is_recorded_and_sends_nothing(
    server: LiveServer,
    client: httpx.Client,
    made: Fleet,
    sink: HttpSink,
    status: int,
    body: bytes,
    expected: str,
    info: str | None,
) -> None:
    downlink_callback(client, made, f"{sink.url}/bidir")
    sink.answer(status, body, "application/json")

    got = uplink(client, made, seq=1, ack=True)

    assert got["downlink"] == {"status": expected}
    status_, data, recorded_info = stored(server, got["messageId"])
    assert (status_, data) == (expected, None)
    assert (recorded_info is None) == (info is None)
    assert info is None or info in (recorded_info or "")
    listed = client.get(f"/api/devices/{made.device_ids[0]}/messages", auth=made.tenant.auth)
    shown = listed.json()["data"][0]["downlinkAnswerStatus"]
    assert shown == {"status": expected, **({"info": recorded_info} if recorded_info else {})}
    # The receiver took the message: it is not delivered again.
    assert [a.status for a in attempts_of(server, got["messageId"])] == [status]
    assert server.read(outbox_size) == 0


def test_a_late_receiver_costs_the_downlink_but_still_gets_the_message(
    server: LiveServer, client: httpx.Client, made: Fleet, sink: HttpSink
) -> None:
    downlink_callback(client, made, f"{sink.url}/bidir")
    sink.answer(200, answer_for(made.device_ids[0], "0102030405060708"), "application/json")
    sink.hang(times=1)

    got = uplink(client, made, seq=1, ack=True)

    assert got["downlink"] == {"status": "no_answer"}
    status, data, info = stored(server, got["messageId"])
    assert (status, data) == ("no_answer", None)
    assert info is not None and "600" in info
    # The dispatcher retries the delivery; the receiver's answer then goes nowhere.
    attempts = wait_until(lambda: _two(attempts_of(server, got["messageId"])))
    assert [a.status for a in attempts] == [600, 200]
    assert stored(server, got["messageId"])[0] == "no_answer"
    wait_until(lambda: server.read(outbox_size) == 0)


def test_a_failing_receiver_gives_no_downlink(
    server: LiveServer, client: httpx.Client, made: Fleet, sink: HttpSink
) -> None:
    downlink_callback(client, made, f"{sink.url}/bidir")
    sink.fail(503)

    got = uplink(client, made, seq=1, ack=True)

    assert got["downlink"] == {"status": "no_answer"}
    assert stored(server, got["messageId"])[0] == "no_answer"
    # The delivery takes the normal retries, the first of them the one made while asking.
    attempts = wait_until(lambda: _given_up(attempts_of(server, got["messageId"])))
    assert [(a.status, a.failed) for a in attempts] == [(503, False), (503, False), (503, True)]


def test_sigfox_cloud_gets_the_downlink_in_the_bidir_answer_format(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    edit_device_type(client, made, downlinkMode=0, downlinkDataString="cafe{tapId}00000000")
    frame = {"device": made.device_ids[0], "time": BASE_TIME // 1000, "seqNumber": 5}

    without = client.post("/network/sigfox/uplinks", json=frame, auth=made.tenant.auth)
    asked = client.post(
        "/network/sigfox/uplinks",
        json={**frame, "seqNumber": 6, "ack": True, "station": "1A2B"},
        auth=made.tenant.auth,
    )

    assert without.status_code == 204
    assert asked.status_code == 200
    assert asked.json() == {made.device_ids[0]: {"downlinkData": "cafe1a2b00000000"}}


def _two(found: list[Attempt]) -> list[Attempt] | None:
    return found if len(found) >= 2 else None


def _given_up(found: list[Attempt]) -> list[Attempt] | None:
    return found if found and found[-1].failed else None
