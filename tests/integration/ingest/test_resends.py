"""A station that lost its answer resends the frame and gets the first answer again, downlink
included, without taking another downlink or firing callbacks again, also after a restart;
another station's report of the frame is a duplicate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, func, select

from foxden.config import Settings
from foxden.domain.clock import now_ms
from foxden.storage import device_days, devices
from foxden.storage.tables import outbox
from tests.support.factories import Fleet, fleet
from tests.support.server import Restartable

FIRST, SECOND = "0101010101010101", "0202020202020202"


@pytest.fixture
def node(settings: Settings) -> Iterator[Restartable]:
    with Restartable(settings) as running:
        yield running


@pytest.fixture
def made(node: Restartable) -> Fleet:
    # One DATA UPLINK callback with sendDuplicate: each station's first report queues a row.
    return fleet(
        node.live,
        stations=2,
        payload_config="temperature::int:16 humidity::uint:8",
        callbacks=((0, 2, True),),
    )


@pytest.fixture
def time() -> int:
    """The frames' time: now, so that the queued downlinks have not expired."""
    return now_ms()


def queue(node: Restartable, made: Fleet, *data: str) -> None:
    for each in data:
        queued = node.request(
            "POST",
            f"/api/devices/{made.device_ids[0]}/downlinks",
            json={"data": each},
            auth=made.tenant.auth,
        )
        assert queued.status_code == 201, queued.text


def report(
    node: Restartable, made: Fleet, time: int, station: int = 0, **changes: Any
) -> dict[str, Any]:
    station_id, token = made.stations[station]
    body = {
        "device": made.device_ids[0],
        "seqNumber": 7,
        "data": "00fa41",
        "station": station_id,
        "rssi": -110.0,
        "snr": 12.0,
        "time": time,
        "ack": True,
        **changes,
    }
    answer = node.request(
        "POST", "/network/uplinks", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    accepted: dict[str, Any] = answer.json()
    return accepted


def queue_states(node: Restartable, made: Fleet) -> list[tuple[str, str]]:
    """The device's queued downlinks, oldest first: (data, state)."""
    path = f"/api/devices/{made.device_ids[0]}/downlinks"
    answer = node.request("GET", path, auth=made.tenant.auth)
    assert answer.status_code == 200, answer.text
    return [(d["data"], d["state"]) for d in reversed(answer.json()["data"])]


def outbox_rows(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(outbox)).scalar_one())


@pytest.mark.parametrize("restart", [False, True], ids=["running", "restarted"])
def test_a_resend_gets_the_first_answer_and_another_station_a_duplicate(
    node: Restartable, made: Fleet, time: int, restart: bool
) -> None:
    queue(node, made, FIRST, SECOND)
    first = report(node, made, time)
    assert first == {
        "messageId": first["messageId"],
        "device": made.device_ids[0],
        "duplicate": False,
        "forwarded": True,
        "downlink": {"status": "sent", "data": FIRST},
    }
    if restart:
        node.restart()

    assert report(node, made, time) == first
    other = report(node, made, time, station=1)
    assert other == {
        "messageId": first["messageId"],
        "device": made.device_ids[0],
        "duplicate": True,
        "forwarded": True,
    }
    assert report(node, made, time, station=1) == other
    assert report(node, made, time) == first

    # One downlink taken, one uplink and one downlink counted, one row per station's report.
    assert queue_states(node, made) == [(FIRST, "sent"), (SECOND, "pending")]
    counts = node.live.read(device_days.get, made.device_ids[0], device_days.day_of(time))
    assert counts == (1, 3, 1)
    assert node.live.read(outbox_rows) == 2


def test_a_resent_frame_that_was_not_forwarded_keeps_its_decode_warning(
    node: Restartable, made: Fleet, time: int
) -> None:
    node.live.write(
        lambda conn: devices.update_state(
            conn, made.device_ids[0], token_type="CONTRACT", activation_time=0, token_end=1
        )
    )
    first = report(node, made, time, data="01")
    assert first == {
        "messageId": first["messageId"],
        "device": made.device_ids[0],
        "duplicate": False,
        "forwarded": False,
        "decodeWarning": "the frame has 1 of the 3 bytes the payload config reads:"
        " 'temperature' keeps 8 of its 16 bits; 'humidity' is left out, it starts past the end",
    }
    node.restart()
    assert report(node, made, time, data="01") == first
    assert node.live.read(outbox_rows) == 0


def cloud(node: Restartable, made: Fleet, time: int, station: str) -> httpx.Response:
    body = {
        "device": made.device_ids[0],
        "time": time // 1000,
        "data": "00fa41",
        "seqNumber": 9,
        "station": station,
        "ack": True,
    }
    return node.request("POST", "/network/sigfox/uplinks", json=body, auth=made.tenant.auth)


@pytest.mark.parametrize("restart", [False, True], ids=["running", "restarted"])
def test_a_resent_sigfox_cloud_callback_gets_the_first_bidir_answer(
    node: Restartable, made: Fleet, time: int, restart: bool
) -> None:
    queue(node, made, FIRST, SECOND)
    first = cloud(node, made, time, "1A2B")
    assert (first.status_code, first.json()) == (200, {made.device_ids[0]: {"downlinkData": FIRST}})
    if restart:
        node.restart()

    again = cloud(node, made, time, "1A2B")
    assert (again.status_code, again.json()) == (200, first.json())
    duplicate = cloud(node, made, time, "1A2C")
    assert (duplicate.status_code, duplicate.content) == (204, b"")
    assert queue_states(node, made) == [(FIRST, "sent"), (SECOND, "pending")]
    assert node.live.read(outbox_rows) == 2
