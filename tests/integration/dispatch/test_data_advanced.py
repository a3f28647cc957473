"""SERVICE DATA_ADVANCED callbacks: sent once, after the frame's de-duplication, with every
station that heard it and the location computed from them (or the payload's GPS fix)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, update

from foxden.config import Settings
from foxden.domain.codec import geolocation
from foxden.domain.coverage import Position
from foxden.domain.locating import RADIUS_FLOOR_M, locate
from foxden.storage.tables import devices
from tests.integration.dispatch.conftest import (
    attempts_of,
    create_callbacks,
    outbox_size,
    place_station,
    url_callback,
    wait_until,
)
from tests.support.factories import Fleet, fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.uplinks import BASE_TIME, uplink

BODY = (
    '{"device":"{device}","time":{time},"data":"{data}","seq":{seqNumber},"lqi":"{lqi}",'
    '"linkQuality":{linkQuality},"duplicates":{duplicates},"location":{computedLocation},'
    '"fixedLat":{fixedLat},"fixedLng":{fixedLng},"operator":"{operatorName}",'
    '"country":{countryCode}}'
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Long enough for three loopback posts, short enough for a test.
    return settings.model_copy(update={"data_advanced_delay_s": 2.0})


def _advanced_callback(client: httpx.Client, made: Fleet, sink: HttpSink) -> str:
    [callback_id] = create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/advanced",
            callbackType=1,
            callbackSubtype=6,
            contentType="application/json",
            bodyTemplate=BODY,
        ),
    )
    return callback_id


def _delivered_once(server: LiveServer, sink: HttpSink, message_id: int) -> dict[str, Any]:
    """The one DATA_ADVANCED request of a message, once nothing is left to send."""
    [request] = sink.wait_for(1, path="/advanced")
    wait_until(lambda: attempts_of(server, message_id) and server.read(outbox_size) == 0)
    assert [r.path for r in sink.requests].count("/advanced") == 1
    assert request.header("Content-Type") == "application/json"
    body: dict[str, Any] = request.json()
    return body


def _fix_device(server: LiveServer, device_id: str, lat: float, lng: float) -> None:
    def fix(conn: Connection) -> None:
        conn.execute(update(devices).where(devices.c.id == device_id).values(lat=lat, lng=lng))

    server.write(fix)


def test_one_delivery_lists_every_station_and_the_location_they_give(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, stations=3, callbacks=())
    heard = [
        (Position(43.600, 1.440), -90.0, 12.5),
        (Position(43.620, 1.480), -110.25, 6.0),
        (Position(43.580, 1.460), -125.5, 1.75),
    ]
    for (station_id, _), (position, _, _) in zip(made.stations, heard, strict=True):
        place_station(server, station_id, position.lat, position.lng)
    _fix_device(server, made.device_ids[0], 43.61, 1.45)
    callback_id = _advanced_callback(client, made, sink)
    first = uplink(client, made, seq=5, data="a1b2", rssi=-90.0, snr=12.5, at=100)
    for station, (_, rssi, snr) in enumerate(heard[1:], start=1):
        again = uplink(
            client,
            made,
            seq=5,
            data="a1b2",
            station=station,
            rssi=rssi,
            snr=snr,
            at=100 + 300 * station,
        )
        assert again["duplicate"] and again["messageId"] == first["messageId"]

    body = _delivered_once(server, sink, first["messageId"])
    expected = locate([(position, rssi) for position, rssi, _ in heard])
    assert expected is not None and expected.radius >= RADIUS_FLOOR_M
    assert body == {
        "device": made.device_ids[0],
        "time": (BASE_TIME + 100) // 1000,
        "data": "a1b2",
        "seq": 5,
        "lqi": "EXCELLENT",
        "linkQuality": 3,
        "duplicates": [
            {"bsId": station_id, "rssi": rssi, "snr": snr, "nbRep": 1}
            for (station_id, _), (_, rssi, snr) in zip(made.stations, heard, strict=True)
        ],
        "location": {
            "lat": expected.lat,
            "lng": expected.lng,
            "radius": expected.radius,
            "source": 0,
            "status": 1,
        },
        "fixedLat": 43.61,
        "fixedLng": 1.45,
        "operator": "foxden",
        "country": None,
    }
    # The strongest station pulls the centre towards itself.
    assert abs(body["location"]["lat"] - 43.600) < abs(body["location"]["lat"] - 43.580)
    [attempt] = attempts_of(server, first["messageId"])
    assert attempt.callback_id == callback_id
    assert attempt.status == 200


def test_stations_without_positions_give_no_location(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, stations=1, callbacks=())
    _advanced_callback(client, made, sink)
    sent = uplink(client, made, seq=1, data="00", rssi=-130.0, snr=0.5)

    body = _delivered_once(server, sink, sent["messageId"])
    assert body["lqi"] == "LIMIT"
    assert body["linkQuality"] == 0
    assert body["duplicates"] == [
        {"bsId": made.stations[0][0], "rssi": -130.0, "snr": 0.5, "nbRep": 1}
    ]
    assert body["location"] is None
    assert (body["fixedLat"], body["fixedLng"]) == (None, None)


def test_a_gps_fix_in_the_payload_is_the_location(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, stations=1, callbacks=())
    place_station(server, made.stations[0][0], 48.85, 2.35)
    edited = client.post(
        "/api/devicetypes/edit",
        json={"id": made.device_type_id, "payloadType": "Geolocation"},
        auth=made.tenant.auth,
    )
    assert edited.status_code == 200, edited.text
    _advanced_callback(client, made, sink)
    fix = geolocation.encode(45.7640, 4.8357)
    sent = uplink(client, made, seq=1, data=fix.hex())

    body = _delivered_once(server, sink, sent["messageId"])
    assert body["data"] == fix.hex()
    assert body["location"] == {"lat": 45.764, "lng": 4.8357, "radius": 0, "source": 1, "status": 1}


def test_a_batch_url_callback_gathers_the_frames_that_fall_due_together(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, devices=2, stations=1, callbacks=())
    create_callbacks(
        client,
        made,
        {
            "channel": "BATCH_URL",
            "callbackType": 1,
            "callbackSubtype": 6,
            "url": f"{sink.url}/lines",
            "linePattern": "{device};{seqNumber}",
        },
    )

    uplink(client, made, seq=1, device=0)
    uplink(client, made, seq=1, device=1)

    # Both fall due 2 s after their creation, within one batch window of each other.
    [request] = sink.wait_for(1, path="/lines")
    wait_until(lambda: server.read(outbox_size) == 0)
    assert sorted(request.text().split("\n")) == sorted(f"{d};1" for d in made.device_ids)
    assert len(sink.requests) == 1
