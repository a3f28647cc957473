from __future__ import annotations

from typing import Any

import httpx
import pytest

from foxden.storage import device_days, devices, messages
from tests.support.factories import Fleet, fleet, tenant
from tests.support.server import LiveServer

TIME = 1_790_000_000_000  # in the past, as a frame's time must be


@pytest.fixture
def made(server: LiveServer) -> Fleet:
    return fleet(server, payload_config="temperature::int:16 humidity::uint:8")


def frame(made: Fleet, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device": made.device_ids[0],
        "seqNumber": 1,
        "data": "00fa41",
        "station": made.stations[0][0],
        "rssi": -118.5,
        "snr": 14.25,
        "freq": 868_130_000,
        "time": TIME,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def bearer(made: Fleet, n: int = 0) -> dict[str, str]:
    return {"Authorization": f"Bearer {made.stations[n][1]}"}


def test_accepted_frame_is_stored_with_its_reception(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    answer = client.post("/network/uplinks", json=frame(made), headers=bearer(made))
    assert answer.status_code == 200
    body = answer.json()
    assert body == {
        "messageId": body["messageId"],
        "device": made.device_ids[0],
        "duplicate": False,
        "forwarded": True,
    }
    stored = server.read(messages.get, body["messageId"])
    assert stored is not None
    assert (stored.device_id, stored.seq_number, stored.data, stored.time) == (
        made.device_ids[0],
        1,
        "00fa41",
        TIME,
    )
    assert stored.decoded == {"temperature": 250, "humidity": 65}
    [reception] = stored.receptions
    assert (reception.station_id, reception.rssi, reception.snr, reception.freq) == (
        made.stations[0][0],
        -118.5,
        14.25,
        868_130_000,
    )
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None
    assert device.last_seen_at == TIME and device.last_seq_number == 1
    assert (device.average_snr, device.average_rssi) == (14.25, -118.5)
    assert device.token is not None and device.token.activation_time > 0
    assert device.soracom_status.value == "active"


def test_a_short_frame_is_stored_with_what_it_holds_and_a_decode_warning(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    answer = client.post("/network/uplinks", json=frame(made, data="ff"), headers=bearer(made))
    assert answer.status_code == 200
    body = answer.json()
    warning = (
        "the frame has 1 of the 3 bytes the payload config reads: 'temperature' keeps 8 of its "
        "16 bits; 'humidity' is left out, it starts past the end"
    )
    assert body == {
        "messageId": body["messageId"],
        "device": made.device_ids[0],
        "duplicate": False,
        "forwarded": True,
        "decodeWarning": warning,
    }
    stored = server.read(messages.get, body["messageId"])
    assert stored is not None
    assert (stored.decoded, stored.decode_error, stored.decode_warning) == (
        {"temperature": -1},
        None,
        warning,
    )


def test_station_may_be_left_out(client: httpx.Client, made: Fleet) -> None:
    answer = client.post("/network/uplinks", json=frame(made, station=None), headers=bearer(made))
    assert answer.status_code == 200


def test_averages_cover_the_last_25_messages(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    for seq in range(1, 31):
        answer = client.post(
            "/network/uplinks",
            json=frame(
                made, seqNumber=seq, snr=float(seq), rssi=-100.0 - seq, time=TIME + seq * 60_000
            ),
            headers=bearer(made),
        )
        assert answer.status_code == 200
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None
    assert device.average_snr == sum(range(6, 31)) / 25
    assert device.average_rssi == -100 - sum(range(6, 31)) / 25
    assert len(device.link_window) == 25


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"data": "0g"}, "data"),
        ({"data": "012"}, "data"),
        ({"data": "00" * 13}, "data"),
        ({"seqNumber": 4096}, "seqNumber"),
        ({"seqNumber": -1}, "seqNumber"),
        ({"device": "XYZ"}, "device"),
        ({"device": None}, "device"),
        ({"time": None}, "time"),
        ({"rssi": "loud"}, "rssi"),
        ({"oob": {"kind": "nonsense"}}, "oob"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_frames_are_a_400_naming_the_field(
    client: httpx.Client, made: Fleet, changes: dict[str, Any], field: str
) -> None:
    answer = client.post("/network/uplinks", json=frame(made, **changes), headers=bearer(made))
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert field in body["message"]


def test_malformed_json_is_a_400(client: httpx.Client, made: Fleet) -> None:
    answer = client.post(
        "/network/uplinks",
        content=b'{"device": ',
        headers={**bearer(made), "content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_input"


def test_unknown_device_is_a_404(client: httpx.Client, made: Fleet) -> None:
    answer = client.post(
        "/network/uplinks", json=frame(made, device="ABCDEF"), headers=bearer(made)
    )
    assert answer.status_code == 404
    assert answer.json() == {"code": "not_found", "message": "Device ABCDEF not found."}


def test_station_token_is_required_and_must_match(client: httpx.Client, made: Fleet) -> None:
    missing = client.post("/network/uplinks", json=frame(made))
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/network/uplinks", json=frame(made), headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401
    other = client.post("/network/uplinks", json=frame(made), headers=bearer(made, 1))
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden"


def test_a_service_frame_keeps_its_content(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    answer = client.post(
        "/network/uplinks",
        json=frame(made, data="", oob={"kind": "status", "battery": 3.05, "temperature": 21.5}),
        headers=bearer(made),
    )
    assert answer.status_code == 200
    stored = server.read(messages.get, answer.json()["messageId"])
    assert stored is not None
    assert stored.kind.value == "status"
    assert stored.service == {"battery": 3.05, "temperature": 21.5}
    assert stored.decoded is None


def test_an_expired_token_keeps_the_message_but_forwards_nothing(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    server.write(
        lambda conn: devices.update_state(
            conn, made.device_ids[0], token_type="CONTRACT", activation_time=0, token_end=1
        )
    )
    answer = client.post("/network/uplinks", json=frame(made), headers=bearer(made))
    assert answer.status_code == 200
    assert answer.json()["forwarded"] is False
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None and device.state.value == 2


# Sigfox Cloud callbacks


def cloud_body(made: Fleet, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device": made.device_ids[0],
        "time": TIME // 1000,
        "data": "00fa41",
        "seqNumber": 9,
        "station": "1B2C",
        "rssi": -130.0,
        "snr": 8.5,
        "ack": False,
        "duplicate": False,
        "avgSnr": 9.1,
        "deviceTypeId": made.device_type_id,
    }
    body.update(changes)
    return body


def test_a_sigfox_cloud_callback_is_ingested(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    answer = client.post("/network/sigfox/uplinks", json=cloud_body(made), auth=made.tenant.auth)
    assert answer.status_code == 204
    assert answer.content == b""
    second = client.post(
        "/network/sigfox/uplinks",
        json=cloud_body(made, station="1B2D", rssi=-120.0, duplicate=True),
        auth=made.tenant.auth,
    )
    assert second.status_code == 204
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None and device.last_message_id is not None
    stored = server.read(messages.get, device.last_message_id)
    assert stored is not None
    assert stored.time == TIME
    assert [r.station_id for r in stored.receptions] == ["1B2C", "1B2D"]
    assert stored.rssi == -120.0
    assert stored.decoded == {"temperature": 250, "humidity": 65}
    # One uplink of 3 bytes that day: the second station's reception is not another uplink.
    counts = server.read(device_days.get, made.device_ids[0], device_days.day_of(TIME))
    assert counts == (1, 3, 0)


def test_a_sigfox_cloud_callback_without_network_metadata(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    body = cloud_body(made)
    for key in ("station", "rssi", "snr"):
        del body[key]
    assert (
        client.post("/network/sigfox/uplinks", json=body, auth=made.tenant.auth).status_code == 204
    )
    device = server.read(devices.get, made.device_ids[0])
    assert device is not None and device.last_message_id is not None
    stored = server.read(messages.get, device.last_message_id)
    assert stored is not None
    assert [(r.station_id, r.rssi) for r in stored.receptions] == [("0000", None)]
    assert stored.link_quality is None


def test_sigfox_cloud_callbacks_are_walled_per_tenant(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    stranger = tenant(server, "Stranger")
    answer = client.post("/network/sigfox/uplinks", json=cloud_body(made), auth=stranger.auth)
    assert answer.status_code == 404
    assert client.post("/network/sigfox/uplinks", json=cloud_body(made)).status_code == 401
