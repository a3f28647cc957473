from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection

from foxden.api.sigfox_v1.messages import callback_definition, snr_text
from foxden.domain.devices import LinkQuality
from foxden.domain.messages import ComputedLocation, Reception
from foxden.domain.uplinks import FrameKind
from foxden.storage import callback_attempts, device_types, devices, groups, messages, stations
from foxden.storage.callback_attempts import Attempt
from tests.support.factories import Fleet, fleet, tenant
from tests.support.server import LiveServer

TIME = 1_800_000_000_000  # Unix ms, on a whole second


@pytest.fixture
def made(server: LiveServer) -> Fleet:
    return fleet(server, devices=2)


def store(
    conn: Connection,
    made: Fleet,
    time: int,
    seq_number: int,
    *,
    device: int = 0,
    data: str = "0a0b",
    snr: float | None = 12.5,
    kind: FrameKind = FrameKind.DATA,
    location: ComputedLocation | None = None,
    link_quality: LinkQuality | None = LinkQuality.GOOD,
) -> int:
    return messages.create(
        conn,
        device_id=made.device_ids[device],
        device_type_id=made.device_type_id,
        time=time,
        seq_number=seq_number,
        kind=kind,
        data=data,
        ack=False,
        reception=Reception(made.stations[0][0], -120.0, snr, time),
        link_quality=link_quality,
        forwarded=True,
        location=location,
    )


def attempt(message_id: int, status: int, channel: str, **fields: Any) -> Attempt:
    return Attempt(
        callback_id="0" * 24,
        channel=channel,
        device_type_id="1" * 24,
        event_time=TIME,
        time=TIME + 1000,
        status=status,
        message_id=message_id,
        **fields,
    )


def items(client: httpx.Client, url: str, auth: tuple[str, str]) -> dict[str, Any]:
    response = client.get(url, auth=auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def follow(client: httpx.Client, url: str, auth: tuple[str, str]) -> tuple[list[Any], list[str]]:
    """Every item of a list through its next links, and those links."""
    seen: list[Any] = []
    links: list[str] = []
    next_url: str | None = url
    while next_url is not None:
        body = items(client, next_url, auth)
        seen += body["data"]
        next_url = body.get("paging", {}).get("next")
        if next_url is not None:
            links.append(next_url)
    return seen, links


def test_a_message_has_the_seed_fields_and_units(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    def write(conn: Connection) -> str:
        near = stations.create(conn, "Near", "digest-near", lat=43.4512, lng=6.5488)
        message_id = store(
            conn,
            made,
            TIME + 977,
            42,
            data="3235353843fc",
            snr=38.2,
            location=ComputedLocation(43.45, 6.54, 500, 1),
        )
        message = messages.get(conn, message_id)
        assert message is not None
        messages.add_reception(
            conn, message, Reception(near.id, -110.0, 7.0, TIME + 990), LinkQuality.EXCELLENT
        )
        callback_attempts.record(
            conn,
            attempt(
                message_id,
                200,
                "URL",
                info="OK",
                request={"method": "GET", "url": "https://example.com/cb?id=F000"},
            ),
        )
        callback_attempts.record(
            conn,
            attempt(
                message_id,
                600,
                "BATCH_URL",
                request={"method": "POST", "url": "https://example.com/batch", "body": "{}"},
                failed=True,
            ),
        )
        callback_attempts.record(
            conn,
            attempt(
                message_id,
                200,
                "EMAIL",
                info="Sent",
                request={"recipient": "ops@example.com", "subject": "F000", "message": "hi"},
            ),
        )
        return near.id

    near_id = server.write(write)
    body = items(client, f"/api/devices/{made.device_ids[0]}/messages", made.tenant.auth)
    assert body == {
        "data": [
            {
                "device": made.device_ids[0],
                "time": TIME // 1000,
                "data": "3235353843fc",
                "seqNumber": 42,
                "snr": "38.2",
                "computedLocation": {"lat": 43.45, "lng": 6.54, "radius": 500},
                "linkQuality": "EXCELLENT",
                "rinfos": [
                    {"tap": made.stations[0][0], "snr": "38.2"},
                    {"tap": near_id, "snr": "7.0", "lat": "43", "lng": "7"},
                ],
                "cbStatus": [
                    {"status": 200, "info": "OK", "cbDef": "[GET] https://example.com/cb?id=F000"},
                    {"status": 600, "cbDef": "[POST] https://example.com/batch"},
                    {"status": 200, "info": "Sent", "cbDef": "[EMAIL] ops@example.com"},
                ],
            }
        ]
    }
    by_type = items(client, f"/api/devicetypes/{made.device_type_id}/messages", made.tenant.auth)
    assert by_type == body


def test_empty_fields_are_left_out(server: LiveServer, client: httpx.Client, made: Fleet) -> None:
    server.write(lambda conn: store(conn, made, TIME, 7, data="", snr=None, link_quality=None))
    body = items(client, f"/api/devices/{made.device_ids[0].lower()}/messages", made.tenant.auth)
    assert body == {
        "data": [
            {
                "device": made.device_ids[0],
                "time": TIME // 1000,
                "seqNumber": 7,
                "rinfos": [{"tap": made.stations[0][0]}],
            }
        ]
    }


def test_service_frames_are_not_messages(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    def write(conn: Connection) -> None:
        store(conn, made, TIME, 1)
        store(conn, made, TIME + 1000, 2, kind=FrameKind.STATUS)

    server.write(write)
    for path in (
        f"/api/devices/{made.device_ids[0]}/messages",
        f"/api/devices/{made.device_ids[0]}/locations",
    ):
        assert len(items(client, path, made.tenant.auth)["data"]) == 1


def test_locations_are_in_milliseconds_with_a_position_only_when_valid(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    def write(conn: Connection) -> None:
        store(conn, made, TIME + 1_250, 1, location=ComputedLocation(42.4631156, 1.5652321, 0, 2))
        store(conn, made, TIME + 61_500, 2)
        store(conn, made, TIME + 90_000, 3, device=1, location=ComputedLocation(1, 2, 3, 1))

    server.write(write)
    body = items(client, f"/api/devices/{made.device_ids[0]}/locations", made.tenant.auth)
    assert body == {
        "data": [
            {"time": TIME + 61_500, "valid": False},
            {"time": TIME + 1_250, "valid": True, "lat": 42.4631156, "lng": 1.5652321, "radius": 0},
        ]
    }


def test_a_message_without_gps_is_located_by_the_stations_that_heard_it(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    # Two stations 0.2 degree apart on a meridian: equal signals meet halfway, 0.1 degree
    # (11,119.5 m on the mean sphere) from each; one station alone gives the 2 km floor.
    def write(conn: Connection) -> None:
        south = stations.create(conn, "South", "digest-south", lat=43.0, lng=1.0).id
        north = stations.create(conn, "North", "digest-north", lat=43.2, lng=1.0).id

        def heard(time: int, seq_number: int, *also: Reception, **fields: Any) -> None:
            message = messages.get(conn, store(conn, made, time, seq_number, **fields))
            assert message is not None
            for reception in also:
                messages.add_reception(conn, message, reception, LinkQuality.GOOD)

        # Heard by the fleet's station (no position) first, then by South and North.
        heard(TIME, 1, Reception(south, -100.0, 9.0, TIME), Reception(north, -100.0, 9.0, TIME))
        heard(TIME + 1000, 2, Reception(south, -130.0, 1.0, TIME + 1000))
        heard(TIME + 2000, 3, Reception(south, -100.0, 9.0, TIME), Reception(north, None, None, 0))
        heard(TIME + 3000, 4)
        fix = ComputedLocation(42.4631156, 1.5652321, 0, 1)
        heard(TIME + 4000, 5, Reception(south, -100.0, 9.0, TIME + 4000), location=fix)

    server.write(write)
    device = made.device_ids[0]
    body = items(client, f"/api/devices/{device}/locations", made.tenant.auth)
    halfway = {"lat": pytest.approx(43.1), "lng": 1.0, "radius": 11_120}
    assert body == {
        "data": [
            {"time": TIME + 4000, "valid": True, "lat": 42.4631156, "lng": 1.5652321, "radius": 0},
            {"time": TIME + 3000, "valid": False},
            {"time": TIME + 2000, "valid": True, **halfway},
            {"time": TIME + 1000, "valid": True, "lat": 43.0, "lng": 1.0, "radius": 2000},
            {"time": TIME, "valid": True, **halfway},
        ]
    }
    listed = items(client, f"/api/devices/{device}/messages", made.tenant.auth)["data"]
    assert [message.get("computedLocation") for message in listed] == [
        {key: value for key, value in place.items() if key not in ("time", "valid")} or None
        for place in body["data"]
    ]


def _stamp(n: int) -> int:
    """Message ``n``'s time: five per second, two pairs of them in the same millisecond."""
    return TIME + (n // 5) * 1000 + (0, 0, 250, 250, 999)[n % 5]


@pytest.fixture
def busy(server: LiveServer, made: Fleet) -> list[tuple[int, int]]:
    """250 messages of device 0 (and a few of device 1); (seconds, seqNumber) newest first."""

    def write(conn: Connection) -> None:
        for n in range(250):
            store(conn, made, _stamp(n), n)
            if n % 50 == 0:
                store(conn, made, _stamp(n), 4000 + n, device=1)

    server.write(write)
    return [(_stamp(n) // 1000, n) for n in reversed(range(250))]


@pytest.mark.parametrize("resource", ["messages", "locations"])
def test_following_next_yields_each_message_once_in_order(
    server: LiveServer,
    client: httpx.Client,
    made: Fleet,
    busy: list[tuple[int, int]],
    resource: str,
) -> None:
    seen, links = follow(
        client,
        f"{server.url}/api/devices/{made.device_ids[0]}/{resource}?limit=7",
        made.tenant.auth,
    )
    if resource == "messages":
        assert [(item["time"], item["seqNumber"]) for item in seen] == busy
    else:
        assert [item["time"] for item in seen] == [_stamp(seq) for _, seq in busy]
    assert len(links) == math.ceil(250 / 7) - 1
    for link in links:
        assert link.startswith(f"{server.url}/api/devices/{made.device_ids[0]}/{resource}?")
        params = httpx.URL(link).params
        assert params["limit"] == "7"
        # The keyset carries the paging: never more than one second's messages to skip.
        assert 1 <= int(params["offset"]) <= 5
    # Page 36 starts after 245 messages, yet its link skips only those of one second.
    deep = httpx.URL(links[-1]).params
    assert (int(deep["before"]), int(deep["offset"])) == (busy[244][0] + 1, 5)


def test_device_type_list_pages_every_device_and_keeps_moved_ones(
    server: LiveServer, client: httpx.Client, made: Fleet, busy: list[tuple[int, int]]
) -> None:
    def move(conn: Connection) -> None:
        other = device_types.create(conn, made.tenant.group_id, "Other")
        devices.update_state(conn, made.device_ids[1], device_type_id=other.id)

    server.write(move)
    seen, _ = follow(
        client,
        f"{server.url}/api/devicetypes/{made.device_type_id}/messages?limit=9",
        made.tenant.auth,
    )
    assert len({(item["device"], item["seqNumber"]) for item in seen}) == len(seen) == 255
    moved = [item["seqNumber"] for item in seen if item["device"] == made.device_ids[1]]
    assert moved == [4200, 4150, 4100, 4050, 4000]
    times = [item["time"] for item in seen]
    assert times == sorted(times, reverse=True)


def test_before_and_since_are_seconds_and_next_links_keep_them(
    server: LiveServer, client: httpx.Client, made: Fleet, busy: list[tuple[int, int]]
) -> None:
    since, before = TIME // 1000 + 10, TIME // 1000 + 30  # messages 50 to 149
    url = (
        f"{server.url}/api/devices/{made.device_ids[0]}/messages"
        f"?since={since}&before={before}&limit=8"
    )
    seen, links = follow(client, url, made.tenant.auth)
    assert [item["seqNumber"] for item in seen] == list(reversed(range(50, 150)))
    for link in links:
        params = httpx.URL(link).params
        assert params["since"] == str(since)
        assert since < int(params["before"]) <= before
    first = items(client, url, made.tenant.auth)
    assert [item["seqNumber"] for item in first["data"]] == list(range(149, 141, -1))


def test_offset_skips_messages(
    server: LiveServer, client: httpx.Client, made: Fleet, busy: list[tuple[int, int]]
) -> None:
    body = items(
        client,
        f"/api/devices/{made.device_ids[0]}/messages?limit=3&offset=5",
        made.tenant.auth,
    )
    assert [item["seqNumber"] for item in body["data"]] == [244, 243, 242]
    # The page lies in one second, which the skipped messages might share: go on by offset.
    assert dict(httpx.URL(body["paging"]["next"]).params) == {"limit": "3", "offset": "8"}


@pytest.mark.parametrize("offset", [1, 2, 4, 6])
def test_following_next_from_a_client_offset_yields_the_rest_once(
    server: LiveServer,
    client: httpx.Client,
    made: Fleet,
    busy: list[tuple[int, int]],
    offset: int,
) -> None:
    seen, _ = follow(
        client,
        f"{server.url}/api/devices/{made.device_ids[0]}/messages?limit=3&offset={offset}",
        made.tenant.auth,
    )
    assert [item["seqNumber"] for item in seen] == [seq for _, seq in busy[offset:]]


def test_the_last_page_has_no_paging(client: httpx.Client, made: Fleet) -> None:
    for path in (
        f"/api/devices/{made.device_ids[0]}/messages",
        f"/api/devices/{made.device_ids[0]}/locations",
        f"/api/devicetypes/{made.device_type_id}/messages",
    ):
        assert items(client, path, made.tenant.auth) == {"data": []}


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=x", "before=-1", "before=soon", "since=1.5", "offset=5001"],
)
@pytest.mark.parametrize("resource", ["devices/F000/messages", "devices/F000/locations", "type"])
def test_bad_parameters_are_a_400_naming_them(
    client: httpx.Client, made: Fleet, query: str, resource: str
) -> None:
    path = f"devicetypes/{made.device_type_id}/messages" if resource == "type" else resource
    response = client.get(f"/api/{path}?{query}", auth=made.tenant.auth)
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["message"]


def test_another_tenants_device_and_type_are_unknown(
    server: LiveServer, client: httpx.Client, made: Fleet
) -> None:
    server.write(lambda conn: store(conn, made, TIME, 1))
    other = tenant(server, "Globex")
    for path, message in (
        (f"/api/devices/{made.device_ids[0]}/messages", f"Device {made.device_ids[0]} not found."),
        (f"/api/devices/{made.device_ids[0]}/locations", f"Device {made.device_ids[0]} not found."),
        (
            f"/api/devicetypes/{made.device_type_id}/messages",
            f"Device type {made.device_type_id} not found.",
        ),
        ("/api/devices/ABCDEF/messages", "Device ABCDEF not found."),
        ("/api/devices/not-hex/locations", "Device not-hex not found."),
        (f"/api/devicetypes/{'0' * 24}/messages", f"Device type {'0' * 24} not found."),
    ):
        response = client.get(path, auth=other.auth)
        assert response.status_code == 404
        assert response.json() == {"message": message}


def test_a_parent_group_sees_its_child_groups_device_messages(
    server: LiveServer, client: httpx.Client
) -> None:
    parent = tenant(server, "Parent")

    def write(conn: Connection) -> str:
        child = groups.create(conn, "Child", parent_id=parent.group_id)
        device_type = device_types.create(conn, child.id, "Meter")
        devices.create(conn, "C0FFEE", device_type.id, "0" * 16)
        messages.create(
            conn,
            device_id="C0FFEE",
            device_type_id=device_type.id,
            time=TIME,
            seq_number=3,
            kind=FrameKind.DATA,
            data="ff",
            ack=False,
            reception=Reception("1A2B", None, None, TIME),
            link_quality=None,
            forwarded=True,
        )
        return device_type.id

    device_type_id = server.write(write)
    expected = {
        "data": [
            {
                "device": "C0FFEE",
                "time": TIME // 1000,
                "data": "ff",
                "seqNumber": 3,
                "rinfos": [{"tap": "1A2B"}],
            }
        ]
    }
    assert items(client, "/api/devices/C0FFEE/messages", parent.auth) == expected
    assert items(client, f"/api/devicetypes/{device_type_id}/messages", parent.auth) == expected
    assert items(client, "/api/devices/C0FFEE/locations", parent.auth) == {
        "data": [{"time": TIME, "valid": False}]
    }


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False))
def test_snr_text_is_a_decimal_of_at_most_two_places(snr: float) -> None:
    text = snr_text(snr)
    whole, _, decimals = text.partition(".")
    assert whole.lstrip("-").isdigit() and 1 <= len(decimals) <= 2 and decimals.isdigit()
    assert float(text) == pytest.approx(snr, abs=0.005 + 1e-9)


@pytest.mark.parametrize(
    ("snr", "text"), [(38.2, "38.2"), (7, "7.0"), (12.345, "12.35"), (-3.5, "-3.5"), (0, "0.0")]
)
def test_snr_text_examples(snr: float, text: str) -> None:
    assert snr_text(snr) == text


@given(
    st.sampled_from(["URL", "BATCH_URL", "MQTT"]),
    st.one_of(st.none(), st.sampled_from(["GET", "POST", "PUT"])),
    st.one_of(st.none(), st.text(min_size=1)),
)
def test_a_callback_definition_names_the_method_and_the_target(
    channel: str, method: str | None, url: str | None
) -> None:
    request = {key: value for key, value in (("method", method), ("url", url)) if value}
    made = callback_definition(attempt(1, 200, channel, request=request))
    label = method or channel
    assert made == (f"[{label}] {url}" if url else f"[{label}]")
