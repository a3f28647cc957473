"""SERVICE STATUS, ACKNOWLEDGE and REPEATER callbacks on the wire: a station reports a service
(OOB) frame, and the receiver gets the frame's values under the callback reference's names."""

from __future__ import annotations

import httpx

from tests.integration.dispatch.conftest import (
    attempts_of,
    create_callbacks,
    url_callback,
    wait_until,
)
from tests.support.factories import fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.uplinks import BASE_TIME, uplink

SERVICE = 1
STATUS, ACKNOWLEDGE, REPEATER = 0, 4, 5


def test_a_status_frame_sends_temperature_and_battery_with_two_decimals(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    [callback_id] = create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/status",
            callbackType=SERVICE,
            callbackSubtype=STATUS,
            contentType="application/json",
            bodyTemplate=(
                '{"device":"{device}","time":{time},"temp":{temp},"batt":{batt},'
                '"seq":{seqNumber},"station":"{station}","rssi":{rssi}}'
            ),
        ),
    )
    answer = uplink(
        client,
        made,
        seq=9,
        data="",
        rssi=-97.125,
        at=4321,
        oob={"kind": "status", "battery": 3.0561, "temperature": -4.567},
    )

    [request] = sink.wait_for(1, path="/status")
    device, station = made.device_ids[0], made.stations[0][0]
    assert request.header("Content-Type") == "application/json"
    assert request.header("Idempotency-Key") == f"{answer['messageId']}:{callback_id}"
    assert (
        request.body
        == (
            f'{{"device":"{device}","time":{(BASE_TIME + 4321) // 1000},"temp":-4.57,"batt":3.06,'
            f'"seq":9,"station":"{station}","rssi":-97.12}}'
        ).encode()
    )
    [attempt] = wait_until(lambda: attempts_of(server, answer["messageId"]))
    assert attempt.status == 200
    assert attempt.parameters["temp"] == -4.57
    assert attempt.parameters["batt"] == 3.06


def test_an_acknowledge_frame_reports_what_became_of_the_downlink(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, devices=2, callbacks=())
    edited = client.post(
        "/api/devicetypes/edit",
        json={
            "id": made.device_type_id,
            "downlinkMode": 0,
            "downlinkDataString": "deadbeefcafebabe",
        },
        auth=made.tenant.auth,
    )
    assert edited.status_code == 200, edited.text
    create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/ack/{{device}}?code={{infoCode}}&message={{infoMessage}}"
            "&ack={downlinkAck}&overusage={downlinkOverusage}&time={time}",
            callbackType=SERVICE,
            callbackSubtype=ACKNOWLEDGE,
            httpMethod="GET",
        ),
    )
    for device in (0, 1):
        uplink(client, made, seq=1, device=device, ack=True, at=device)
    uplink(
        client,
        made,
        seq=2,
        device=0,
        data="",
        at=60_000,
        oob={"kind": "acknowledge", "downlinkAck": True},
    )
    uplink(
        client,
        made,
        seq=2,
        device=1,
        data="",
        at=60_001,
        oob={"kind": "acknowledge", "downlinkAck": False},
    )

    received = sink.wait_for(2)
    by_path = {request.path: request for request in received}
    got, lost = made.device_ids
    assert set(by_path) == {f"/ack/{got}", f"/ack/{lost}"}
    assert by_path[f"/ack/{got}"].method == "GET"
    assert by_path[f"/ack/{got}"].query == (
        f"code=0&message=Acknowledged&ack=true&overusage=false&time={(BASE_TIME + 60_000) // 1000}"
    )
    assert by_path[f"/ack/{lost}"].query == (
        "code=4&message=Network%20error&ack=false&overusage=false"
        f"&time={(BASE_TIME + 60_001) // 1000}"
    )


def test_a_repeater_frame_sends_its_battery_and_counters(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/repeater",
            callbackType=SERVICE,
            callbackSubtype=REPEATER,
            contentType="text/plain",
            bodyTemplate=(
                "device={device} time={time} batt={batt} repeated={repeatedMsg}"
                " whitelist={whitelistDevices}"
            ),
        ),
    )
    uplink(
        client,
        made,
        seq=30,
        data="",
        at=7000,
        oob={"kind": "repeater", "battery": 3.6, "repeatedMsg": 42},
    )

    [request] = sink.wait_for(1, path="/repeater")
    assert request.header("Content-Type") == "text/plain"
    # A counter the repeater did not report is left empty.
    assert (
        request.body
        == (
            f"device={made.device_ids[0]} time={(BASE_TIME + 7000) // 1000} batt=3.6 repeated=42"
            " whitelist="
        ).encode()
    )
