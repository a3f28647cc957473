"""A frame's time must fall in the plausible window: from 2010 to an hour ahead of foxden's
clock. Anything else is a 400 naming the value, never a 500 and never a stored message."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, select

from foxden.domain.clock import now_ms
from foxden.storage import device_types, devices, messages, tables
from tests.support.factories import Fleet, fleet
from tests.support.server import LiveServer

HOUR = 3_600_000
EARLIEST = 1_262_304_000_000  # 2010-01-01T00:00:00Z


@pytest.fixture
def made(server: LiveServer) -> Fleet:
    return fleet(server)


def post(client: httpx.Client, made: Fleet, time: int, **changes: Any) -> httpx.Response:
    station_id, token = made.stations[0]
    body = {
        "device": made.device_ids[0],
        "seqNumber": 1,
        "station": station_id,
        "rssi": -110.0,
        "snr": 10.0,
        "time": time,
        **changes,
    }
    return client.post("/network/uplinks", json=body, headers={"Authorization": f"Bearer {token}"})


def post_cloud(client: httpx.Client, made: Fleet, time: int) -> httpx.Response:
    body = {"device": made.device_ids[0], "time": time, "seqNumber": 1, "data": "01"}
    return client.post("/network/sigfox/uplinks", json=body, auth=made.tenant.auth)


def refusal(value: int, unit: str) -> str:
    """The start of the message a time outside the window gets, in the sender's unit."""
    return (
        f"time: {value} is not a plausible reception time: a frame's time is from "
        f"2010-01-01T00:00:00Z to an hour ahead of foxden's clock, in Unix {unit}"
    )


@pytest.mark.parametrize(
    "time",
    [
        99_999_999_999_999_999_999,
        2**64,
        2**63 - 1,
        253_402_300_800_000,  # year 10000
        1_800_000_000,  # Unix seconds sent as milliseconds
        EARLIEST - 1,
    ],
)
def test_a_station_frame_outside_the_window_is_a_400(
    server: LiveServer, client: httpx.Client, made: Fleet, time: int
) -> None:
    answer = post(client, made, time)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert body["message"].startswith(refusal(time, "milliseconds")), body["message"]
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None and device.last_message_id is None


def test_a_frame_more_than_an_hour_ahead_is_a_400(client: httpx.Client, made: Fleet) -> None:
    ahead = now_ms() + HOUR + 60_000
    answer = post(client, made, ahead)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith(refusal(ahead, "milliseconds"))


def test_the_window_takes_late_frames_and_a_clock_a_little_ahead(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    times = [EARLIEST, now_ms() - 400 * 86_400_000, now_ms() + HOUR - 60_000]
    for seq, time in enumerate(times, start=1):
        answer = post(client, made, time, seqNumber=seq)
        assert answer.status_code == 200, answer.text
        stored = server.read(messages.get, answer.json()["messageId"])
        assert stored is not None and stored.time == time


@pytest.mark.parametrize(
    "time",
    [
        9_223_372_036_854_776,  # (2**63 / 1000) seconds: ms overflow a 64-bit integer
        99_999_999_999_999_999_999,
        253_402_300_800,  # year 10000
        1_800_000_000_000,  # Unix milliseconds sent as seconds
        EARLIEST // 1000 - 1,
    ],
)
def test_a_sigfox_cloud_frame_outside_the_window_is_a_400_in_seconds(
    client: httpx.Client, made: Fleet, time: int
) -> None:
    answer = post_cloud(client, made, time)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert body["message"].startswith(refusal(time, "seconds")), body["message"]


def test_a_sigfox_cloud_frame_of_now_is_taken(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    sent = now_ms() // 1000
    assert post_cloud(client, made, sent).status_code == 204
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None and device.last_seen_at == sent * 1000


@pytest.mark.parametrize("freq", [2**63, 99_999_999_999_999_999_999, -1])
def test_a_frequency_out_of_range_is_a_400(client: httpx.Client, made: Fleet, freq: int) -> None:
    answer = post(client, made, now_ms(), freq=freq)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert "freq" in body["message"]


def test_a_device_last_seen_far_ahead_before_the_window_still_takes_frames(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    """A device whose last frame was stored with a time no reader can turn into a date (before
    foxden refused such times) keeps working: its next frames are stored and it still has a
    silence watch."""

    def far_ahead(conn: Connection) -> None:
        device_type = device_types.get(conn, made.device_type_id)
        assert device_type is not None
        device_types.save(conn, replace(device_type, keep_alive=60))
        devices.update_state(conn, made.device_ids[0], last_seen_at=2**63 - 1, last_seq_number=0)

    server.write(far_ahead)
    time = now_ms()
    answer = post(client, made, time)
    assert answer.status_code == 200, answer.text
    seen = server.read(
        lambda conn: conn.execute(
            select(tables.devices.c.last_seen_at, tables.devices.c.silence_at).where(
                tables.devices.c.id == made.device_ids[0]
            )
        ).one()
    )
    assert tuple(seen) == (time, time + 60 * 60_000)
