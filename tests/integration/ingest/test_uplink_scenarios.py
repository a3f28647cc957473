from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from tests.support import expect
from tests.support.factories import Fleet, fleet
from tests.support.server import LiveServer

BASE_TIME = 1_790_000_000_000  # in the past, as a frame's time must be


@dataclass(frozen=True)
class Frame:
    seq: int
    station: int = 0
    at: int = 0  # ms after BASE_TIME
    data: str = "0102"
    rssi: float = -110.0
    snr: float = 12.0
    status: int = 200
    disengage_first: bool = False


@dataclass(frozen=True)
class Case:
    name: str
    frames: list[Frame]
    expect: list[expect.Expectation]
    callbacks: tuple[tuple[int, int, bool], ...] = ((0, 2, False),)
    payload_config: str | None = None
    duplicates: list[bool] = field(default_factory=list)


CASES = [
    Case(
        "single station",
        [Frame(1)],
        [
            expect.messages_count(1),
            expect.receptions_of(0, 1),
            expect.outbox_rows(1),
            expect.message_field(0, "data", "0102"),
            expect.message_field(0, "time", BASE_TIME),
            expect.message_field(0, "link_quality", "AVERAGE"),
        ],
    ),
    Case(
        "three stations within the window are one message",
        [
            Frame(7, station=0, rssi=-125),
            Frame(7, station=1, at=400, rssi=-115),
            Frame(7, station=2, at=1500, rssi=-130),
        ],
        [
            expect.messages_count(1),
            expect.receptions_of(0, 3),
            expect.outbox_rows(1),
            expect.message_field(0, "stations", 3),
            expect.message_field(0, "rssi", -115.0),
            expect.message_field(0, "link_quality", "EXCELLENT"),
        ],
        duplicates=[False, True, True],
    ),
    Case(
        "sendDuplicate callbacks get one extra row per extra station",
        [Frame(7, station=0), Frame(7, station=1, at=100), Frame(7, station=2, at=200)],
        [expect.messages_count(1), expect.outbox_rows(4, duplicates=2)],
        callbacks=((0, 2, True), (0, 2, False)),
    ),
    Case(
        "the same station twice is one reception, answered alike",
        [Frame(3, station=0), Frame(3, station=0, at=10)],
        [expect.messages_count(1), expect.receptions_of(0, 1), expect.outbox_rows(1)],
        duplicates=[False, False],
    ),
    Case(
        "a repeat after the window is a replay",
        [Frame(5), Frame(5, station=1, at=2500, status=409)],
        [expect.messages_count(1), expect.receptions_of(0, 1)],
    ),
    Case(
        "an older sequence number is a replay",
        [Frame(10), Frame(9, at=60_000, status=409), Frame(11, at=120_000)],
        [expect.sequence_numbers(10, 11), expect.outbox_rows(2)],
    ),
    Case(
        "disengage lets the next frame through",
        [Frame(10), Frame(3, at=60_000, disengage_first=True), Frame(2, at=120_000, status=409)],
        [expect.sequence_numbers(10, 3)],
    ),
    Case(
        "the sequence number rolls over after 4095",
        [Frame(4094), Frame(4095, at=60_000), Frame(0, at=120_000), Frame(1, at=180_000)],
        [expect.sequence_numbers(4094, 4095, 0, 1), expect.outbox_rows(4)],
    ),
    Case(
        "a frame shorter than the payload config stores what it holds",
        [Frame(1, data="01")],
        [
            expect.messages_count(1),
            expect.message_field(0, "decoded", {"temperature": 1}),
            expect.message_field(0, "decode_error", None),
            expect.message_field(
                0,
                "decode_warning",
                "the frame has 1 of the 3 bytes the payload config reads: 'temperature' keeps 8"
                " of its 16 bits; 'humidity' is left out, it starts past the end",
            ),
            expect.outbox_rows(1),
        ],
        payload_config="temperature::int:16 humidity::uint:8",
    ),
    Case(
        "a custom payload is decoded",
        [Frame(1, data="00fa41")],
        [
            expect.message_field(0, "decoded", {"temperature": 250, "humidity": 65}),
            expect.message_field(0, "decode_error", None),
            expect.message_field(0, "decode_warning", None),
        ],
        payload_config="temperature::int:16 humidity::uint:8",
    ),
    Case(
        "a float that is not a number is stored as its name",
        [Frame(1, data="7fc00000ff800000")],
        [expect.message_field(0, "decoded", {"a": "nan", "b": "-inf"})],
        payload_config="a::float:32 b::float:32",
    ),
    Case(
        "service callbacks do not fire for data frames",
        [Frame(1)],
        [expect.messages_count(1), expect.outbox_rows(0)],
        callbacks=((1, 0, False),),
    ),
    Case(
        "uplink and bidir callbacks both fire for a data frame",
        [Frame(1)],
        [expect.outbox_rows(2)],
        callbacks=((0, 2, False), (0, 3, False)),
    ),
]


def post(client: httpx.Client, made: Fleet, frame: Frame, device: int = 0) -> httpx.Response:
    station_id, token = made.stations[frame.station]
    return client.post(
        "/network/uplinks",
        json={
            "device": made.device_ids[device],
            "seqNumber": frame.seq,
            "data": frame.data,
            "station": station_id,
            "rssi": frame.rssi,
            "snr": frame.snr,
            "time": BASE_TIME + frame.at,
        },
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_uplink_scenario(server: LiveServer, client: httpx.Client, case: Case) -> None:
    made = fleet(server, callbacks=case.callbacks, payload_config=case.payload_config)
    answers = []
    for frame in case.frames:
        if frame.disengage_first:
            disengaged = client.get(
                f"/api/devicetypes/{made.device_type_id}/disengage", auth=made.tenant.auth
            )
            assert disengaged.status_code == 200
            assert disengaged.content == b""
        response = post(client, made, frame)
        assert response.status_code == frame.status, response.text
        answers.append(response.json())
    state = server.read(expect.read_state)
    for check in case.expect:
        check(state)
    if case.duplicates:
        assert [a["duplicate"] for a in answers] == case.duplicates
        assert len({a["messageId"] for a in answers}) == 1
