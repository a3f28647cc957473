"""The URL channel on the wire: every variable rendered where it lands, foxden's own headers,
duplicates, and the attempt each delivery leaves."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

import httpx

from foxden.config import Settings
from tests.integration.dispatch.conftest import (
    attempts_of,
    create_callbacks,
    outbox_size,
    place_station,
    url_callback,
    wait_until,
)
from tests.support.factories import fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.uplinks import BASE_TIME, uplink

EVERY_VARIABLE = (
    "device={device}&type={deviceTypeId}&time={time}&data={data}&seq={seqNumber}"
    "&snr={snr}&rssi={rssi}&station={station}&avgSnr={avgSnr}&lat={lat}&lng={lng}"
    "&duplicate={duplicate}&lq={linkQuality}"
)


def test_a_form_post_carries_every_variable(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, stations=2, callbacks=())
    station_id = made.stations[0][0]
    place_station(server, station_id, 43.6, 1.44)
    [callback_id] = create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/up/{{device}}?seq={{seqNumber}}&at={{time}}",
            headers={"X-Device": "{device}", "X-Station": "{station}"},
            bodyTemplate=EVERY_VARIABLE,
        ),
    )
    answer = uplink(client, made, seq=7, data="c0ffee", rssi=-121.5, snr=12.25, at=1234)
    device = made.device_ids[0]

    [request] = sink.wait_for(1)
    assert request.method == "POST"
    assert request.path == f"/up/{device}"
    assert request.params() == {"seq": ["7"], "at": [str((BASE_TIME + 1234) // 1000)]}
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.header("X-Device") == device
    assert request.header("X-Station") == station_id
    assert request.header("Idempotency-Key") == f"{answer['messageId']}:{callback_id}"
    assert request.header("X-Foxden-Signature") is None
    assert request.form() == {
        "device": [device],
        "type": [made.device_type_id],
        "time": [str((BASE_TIME + 1234) // 1000)],
        "data": ["c0ffee"],
        "seq": ["7"],
        "snr": ["12.25"],
        "rssi": ["-121.5"],
        "station": [station_id],
        "avgSnr": [""],  # fewer than 15 messages: not available
        "lat": ["44"],
        "lng": ["1"],
        "duplicate": ["false"],
        "lq": ["1"],  # one station, above -122 dBm: AVERAGE
    }

    [attempt] = wait_until(lambda: attempts_of(server, answer["messageId"]))
    assert attempt.status == 200
    assert attempt.failed is False
    assert attempt.channel == "URL"
    assert attempt.request["url"] == (
        f"{sink.url}/up/{device}?seq=7&at={(BASE_TIME + 1234) // 1000}"
    )
    assert attempt.request["body"] == request.text()
    assert attempt.parameters["data"] == "c0ffee"


def test_a_json_body_escapes_text_and_writes_null_for_what_was_not_measured(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=(), payload_config=None)
    body = (
        '{"device": "{device}", "label": "{customData#label}", "snr": {snr},'
        ' "avgSnr": {avgSnr}, "ack": {ack}, "n": {customData#n}}'
    )
    create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/json",
            callbackSubtype=3,
            contentType="application/json",
            payloadConfig="label::char:3 n::uint:8",
            bodyTemplate=body,
        ),
    )
    uplink(client, made, seq=1, data=b'"\\\x00'.hex() + "2a")

    [request] = sink.wait_for(1)
    assert request.header("Content-Type") == "application/json"
    assert request.json() == {
        "device": made.device_ids[0],
        # The char field's own text: a quote, a backslash, a NUL.
        "label": '"\\\x00',
        "snr": 10.0,
        "avgSnr": None,
        "ack": False,
        "n": 42,
    }


def test_get_sends_no_body_and_percent_encodes_url_values(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/get?text={{customData#t}}",
            httpMethod="GET",
            payloadConfig="t::char:3",
        ),
    )
    uplink(client, made, seq=1, data=b"a&b".hex())

    [request] = sink.wait_for(1)
    assert request.method == "GET"
    assert request.body == b""
    assert request.header("Content-Type") is None
    assert request.query == f"text={quote('a&b', safe='')}"
    assert request.params() == {"text": ["a&b"]}


def test_text_plain_takes_values_as_they_are(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/text",
            httpMethod="PUT",
            contentType="text/plain",
            headers={"X-Label": "{customData#t}"},
            payloadConfig="t::char:3",
            bodyTemplate="{device} sent {data} (#{seqNumber}) at {time}: {customData#t}",
        ),
    )
    uplink(client, made, seq=3, data=b"a\x00\xe9".hex())

    [request] = sink.wait_for(1)
    assert request.method == "PUT"
    assert request.header("Content-Type") == "text/plain"
    expected = f"{made.device_ids[0]} sent 6100e9 (#3) at {BASE_TIME // 1000}: a\x00é"
    assert request.text() == expected
    # A header value holds no control character: the NUL is a space; é goes as UTF-8.
    assert (request.header("X-Label") or "").encode("latin-1") == "a é".encode()


def test_send_duplicate_makes_one_more_call_per_extra_station(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, stations=3, callbacks=())
    [duplicating, single] = create_callbacks(
        client,
        made,
        url_callback(
            f"{sink.url}/dup",
            sendDuplicate=True,
            bodyTemplate="station={station}&duplicate={duplicate}&rssi={rssi}",
        ),
        url_callback(f"{sink.url}/once", bodyTemplate="station={station}"),
    )
    first = uplink(client, made, seq=5, station=0, rssi=-110.0)
    for station, rssi in ((1, -90.0), (2, -95.0)):
        again = uplink(client, made, seq=5, station=station, rssi=rssi, at=300)
        assert again["duplicate"] is True
        assert again["messageId"] == first["messageId"]

    calls = sink.wait_for(3, path="/dup")
    by_station = {r.form()["station"][0]: r for r in calls}
    ids = [station_id for station_id, _ in made.stations]
    assert set(by_station) == set(ids)
    assert by_station[ids[0]].form()["duplicate"] == ["false"]
    assert by_station[ids[0]].form()["rssi"] == ["-110.0"]
    assert by_station[ids[1]].form() == {
        "station": [ids[1]],
        "duplicate": ["true"],
        "rssi": ["-90.0"],
    }
    assert by_station[ids[2]].form()["duplicate"] == ["true"]
    keys = {r.header("Idempotency-Key") for r in calls}
    message = first["messageId"]
    assert keys == {
        f"{message}:{duplicating}",
        f"{message}:{duplicating}:{ids[1]}",
        f"{message}:{duplicating}:{ids[2]}",
    }
    [once] = sink.wait_for(1, path="/once")
    assert once.form() == {"station": [ids[0]]}
    assert once.header("Idempotency-Key") == f"{message}:{single}"


def test_a_signing_secret_signs_every_request_and_is_never_shown(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    secret = "s3cret-s3cret-s3cret"
    create_callbacks(
        client,
        made,
        url_callback(f"{sink.url}/signed", bodyTemplate="data={data}", signingSecret=secret),
    )
    listed = client.get(f"/api/devicetypes/{made.device_type_id}/callbacks", auth=made.tenant.auth)
    assert secret not in listed.text
    uplink(client, made, seq=1, data="0a0b")

    [request] = sink.wait_for(1)
    header = request.header("X-Foxden-Signature")
    assert header is not None
    fields = dict(part.split("=", 1) for part in header.split(","))
    signed = f"{fields['t']}.POST.{sink.url}/signed.{request.text()}"
    expected = hmac.new(secret.encode(), signed.encode(), hashlib.sha256).hexdigest()
    assert fields["v1"] == expected


def test_a_disabled_callback_delivers_nothing_queued_before(
    settings: Settings, sink: HttpSink
) -> None:
    queueing = LiveServer(settings.model_copy(update={"dispatcher": False}))
    try:
        with httpx.Client(base_url=queueing.url, timeout=30) as client:
            made = fleet(queueing, callbacks=())
            [callback_id] = create_callbacks(client, made, url_callback(f"{sink.url}/off"))
            message = uplink(client, made, seq=1)["messageId"]
            assert queueing.read(outbox_size) == 1
            disabled = client.post(
                f"/api/devicetypes/{made.device_type_id}/callbacks/{callback_id}/enable",
                params={"enabled": "false"},
                auth=made.tenant.auth,
            )
            assert disabled.status_code == 200
    finally:
        queueing.stop()

    delivering = LiveServer(settings)
    try:
        wait_until(lambda: delivering.read(outbox_size) == 0)
        assert attempts_of(delivering, message) == []
    finally:
        delivering.stop()
    assert sink.requests == []
