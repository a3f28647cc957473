from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from foxden.domain.clock import now_ms
from foxden.domain.devices import DeviceState, Token, TokenType
from foxden.domain.messages import ComputedLocation, Reception
from foxden.domain.uplinks import FrameKind
from foxden.storage import device_days, device_types, devices, messages, stations
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer

HOUR_MS = 3_600_000
YEAR_2100 = 4_102_444_800_000
CONTRACT = Token(
    TokenType.CONTRACT,
    "7896541254789654aedfba4c",
    activation_time=1_404_096_340_556,
    end=1_449_010_800_000,
)


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


@pytest.fixture
def type_id(server: LiveServer, acme: Tenant) -> str:
    return new_type(server, acme)


def new_type(server: LiveServer, owner: Tenant) -> str:
    return server.write(lambda conn: device_types.create(conn, owner.group_id, "Meters").id)


def add_device(
    server: LiveServer,
    device_type_id: str,
    device_id: str,
    *,
    token: Token | None = None,
    lat: float | None = None,
    lng: float | None = None,
    **state: object,
) -> None:
    def make(conn: Connection) -> None:
        devices.create(
            conn, device_id, device_type_id, "545CB3B17AC98BA4", token=token, lat=lat, lng=lng
        )
        if state:
            devices.update_state(conn, device_id, **state)

    server.write(make)


def add_message(
    conn: Connection,
    device_id: str,
    device_type_id: str,
    time: int,
    location: ComputedLocation | None = None,
    kind: FrameKind = FrameKind.DATA,
) -> int:
    return messages.create(
        conn,
        device_id=device_id,
        device_type_id=device_type_id,
        time=time,
        seq_number=0,
        kind=kind,
        data="00",
        ack=False,
        reception=Reception("0A1B", -120.0, 10.0, time),
        link_quality=None,
        forwarded=True,
        location=location,
    )


def located(server: LiveServer, device_id: str, device_type_id: str, *times: int) -> None:
    """Messages at ``times``, the one at time t (ms) located at (t/1000, -t/1000)."""
    server.write(
        lambda conn: [
            add_message(
                conn,
                device_id,
                device_type_id,
                time,
                ComputedLocation(time / 1000, -time / 1000, 500, 1),
            )
            for time in times
        ]
    )


def plain(server: LiveServer, device_id: str, device_type_id: str, *times: int) -> None:
    server.write(
        lambda conn: [add_message(conn, device_id, device_type_id, time) for time in times]
    )


def test_device_information_has_the_seed_fields_and_units(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(
        server,
        type_id,
        "2C",
        token=CONTRACT,
        lat=43.45,
        lng=1.54,
        last_seen_at=1_343_321_977_999,
        average_snr=8.066,
        average_rssi=-122.56,
    )
    server.write(
        add_message, "2C", type_id, 1_343_321_977_000, ComputedLocation(43.45, 6.54, 500, 1)
    )
    response = client.get("/api/devices/2c", auth=acme.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "id": "2C",
        "name": "Device 2C",
        "type": type_id,
        "last": 1_343_321_977,
        "averageSignal": 8.066,
        "averageSnr": 8.066,
        "averageRssi": -122.56,
        "state": 0,
        "lat": 43.45,
        "lng": 1.54,
        "computedLocation": {"lat": 43.45, "lng": 6.54, "radius": 500},
        "activationTime": 1_404_096_340_556,
        "pac": "545CB3B17AC98BA4",
        "tokenType": "CONTRACT",
        "contractId": "7896541254789654aedfba4c",
        "tokenEnd": 1_449_010_800_000,
        "preventRenewal": False,
    }


def test_a_free_token_shows_its_messages_and_no_end(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    free = Token(TokenType.FREE, None, 1_500_000_000_000, free_messages=140, prevent_renewal=True)
    add_device(server, type_id, "F4EE", token=free)
    assert client.get("/api/devices/F4EE", auth=acme.auth).json() == {
        "id": "F4EE",
        "name": "Device F4EE",
        "type": type_id,
        "last": 0,
        "state": 0,
        "activationTime": 1_500_000_000_000,
        "pac": "545CB3B17AC98BA4",
        "tokenType": "FREE",
        "freeMessages": 140,
        "preventRenewal": True,
    }


def test_a_device_never_heard_leaves_out_every_empty_field(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "0B59")
    assert client.get("/api/devices/0B59", auth=acme.auth).json() == {
        "id": "0B59",
        "name": "Device 0B59",
        "type": type_id,
        "last": 0,
        "state": 0,
        "pac": "545CB3B17AC98BA4",
    }


def test_computed_location_is_the_newest_located_among_the_last_25_messages(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "1A")
    located(server, "1A", type_id, 1_000_000, 2_000_000)
    plain(server, "1A", type_id, 3_000_000)

    def location() -> object:
        return client.get("/api/devices/1A", auth=acme.auth).json().get("computedLocation")

    assert location() == {"lat": 2000.0, "lng": -2000.0, "radius": 500}
    plain(server, "1A", type_id, *range(3_000_001, 3_000_024))
    assert location() == {"lat": 2000.0, "lng": -2000.0, "radius": 500}
    plain(server, "1A", type_id, 4_000_000)
    assert location() is None


def test_computed_location_is_else_the_estimate_from_the_stations_heard(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    for device_id in ("1A", "1B", "1C"):
        add_device(server, type_id, device_id)
    located(server, "1A", type_id, 1_000_000)
    plain(server, "1A", type_id, 2_000_000)
    plain(server, "1B", type_id, 2_000_000)
    # An out-of-band frame is no message: heard by a placed station, it places nothing.
    server.write(add_message, "1C", type_id, 2_000_000, None, FrameKind.STATUS)

    def locations() -> list[object]:
        listed = client.get(f"/api/devicetypes/{type_id}/devices", auth=acme.auth).json()
        by_id = {device["id"]: device.get("computedLocation") for device in listed["data"]}
        for device_id, location in by_id.items():
            alone = client.get(f"/api/devices/{device_id}", auth=acme.auth).json()
            assert alone.get("computedLocation") == location
        return [by_id["1A"], by_id["1B"], by_id["1C"]]

    # The station that heard every frame (0A1B) has no position yet: only the GPS fix counts.
    assert locations() == [{"lat": 1000.0, "lng": -1000.0, "radius": 500}, None, None]

    def place_station(conn: Connection) -> None:
        stations.create(conn, "Known", "digest-known", station_id="0A1B", lat=45.5, lng=4.25)

    server.write(place_station)
    at_station = {"lat": 45.5, "lng": 4.25, "radius": 2000}
    assert locations() == [at_station, at_station, None]
    # A GPS fix wins over the stations that heard its frame.
    server.write(add_message, "1A", type_id, 3_000_000, ComputedLocation(1, 2, 0, 1))
    assert locations() == [{"lat": 1.0, "lng": 2.0, "radius": 0}, at_station, None]


def test_list_items_have_the_shape_of_device_information(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "A1", token=CONTRACT, lat=1.5, lng=2.5, average_snr=12.0)
    add_device(server, type_id, "A2", last_seen_at=1_000_000_000_000, state=1)
    located(server, "A1", type_id, 5_000)
    body = client.get(f"/api/devicetypes/{type_id}/devices", auth=acme.auth).json()
    assert body == {
        "data": [
            client.get(f"/api/devices/{device_id}", auth=acme.auth).json()
            for device_id in ("A1", "A2")
        ]
    }
    assert body["data"][0]["computedLocation"] == {"lat": 5.0, "lng": -5.0, "radius": 500}
    assert (body["data"][1]["last"], body["data"][1]["state"]) == (1_000_000_000, 1)


def test_list_shows_only_the_devices_of_that_type(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    other_type = new_type(server, acme)
    add_device(server, type_id, "B1")
    add_device(server, other_type, "B2")
    body = client.get(f"/api/devicetypes/{other_type}/devices", auth=acme.auth).json()
    assert [device["id"] for device in body["data"]] == ["B2"]


def test_next_links_followed_to_the_end_yield_each_device_once(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    ids = [f"{n:04X}" for n in range(7)]
    for device_id in reversed(ids):
        add_device(server, type_id, device_id)
    seen: list[str] = []
    url: str | None = f"{server.url}/api/devicetypes/{type_id}/devices?limit=3"
    while url is not None:
        body = client.get(url, auth=acme.auth).json()
        seen += [device["id"] for device in body["data"]]
        url = body.get("paging", {}).get("next")
    assert seen == ids


# averageSnr of each device, and the class it falls in (None: in no class).
SNRS = {
    "C0": (None, None),
    "C1": (-0.5, None),
    "C2": (0.0, 1),
    "C3": (9.999, 1),
    "C4": (10.0, 2),
    "C5": (12.999, 2),
    "C6": (13.0, 3),
    "C7": (19.999, 3),
    "C8": (20.0, 4),
    "C9": (41.5, 4),
}


def test_snr_classes_are_half_open_intervals(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    for device_id, (average, _) in SNRS.items():
        add_device(server, type_id, device_id, average_snr=average)
    for snr in (1, 2, 3, 4):
        body = client.get(
            f"/api/devicetypes/{type_id}/devices", params={"snr": snr}, auth=acme.auth
        ).json()
        assert [device["id"] for device in body["data"]] == [
            device_id for device_id, (_, cls) in SNRS.items() if cls == snr
        ], snr


def test_snr_filter_pages_in_sql_and_the_next_link_keeps_it(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    for n in range(6):
        add_device(server, type_id, f"D{n}", average_snr=5.0 if n % 2 else 15.0)
    body = client.get(
        f"/api/devicetypes/{type_id}/devices",
        params={"snr": 3, "limit": 2},
        auth=acme.auth,
    ).json()
    assert [device["id"] for device in body["data"]] == ["D0", "D2"]
    assert dict(httpx.URL(body["paging"]["next"]).params) == {
        "snr": "3",
        "limit": "2",
        "offset": "2",
    }
    last = client.get(body["paging"]["next"], auth=acme.auth).json()
    assert last == {"data": [client.get("/api/devices/D4", auth=acme.auth).json()]}


def test_invalid_list_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    for query in ("snr=0", "snr=5", "snr=-1", "snr=high", "limit=0", "offset=5001"):
        response = client.get(f"/api/devicetypes/{type_id}/devices?{query}", auth=acme.auth)
        assert response.status_code == 400, query
        assert query.split("=")[0] in response.json()["message"]


@pytest.mark.parametrize(
    ("token", "state", "expected"),
    [
        (None, DeviceState.OK, {"code": 2, "detailMessage": "Not communicated"}),
        (
            Token(TokenType.CONTRACT, "c0ffee", 1, end=YEAR_2100),
            DeviceState.OK,
            {
                "code": 0,
                "detailMessage": "Ok",
                "tokenType": "CONTRACT",
                "contractId": "c0ffee",
                "tokenEnd": YEAR_2100,
            },
        ),
        (
            Token(TokenType.CONTRACT, None, 1, end=1_418_673_953_200),
            DeviceState.OK,
            {
                "code": 1,
                "detailMessage": "Invalid token",
                "tokenType": "CONTRACT",
                "tokenEnd": 1_418_673_953_200,
            },
        ),
        (
            Token(TokenType.CONTRACT, "c0ffee", 1, end=1_418_673_953_200),
            DeviceState.OFF_CONTRACT,
            {
                "code": 1,
                "detailMessage": "Off contract",
                "tokenType": "CONTRACT",
                "contractId": "c0ffee",
                "tokenEnd": 1_418_673_953_200,
            },
        ),
        (
            Token(TokenType.FREE, None, 1, free_messages=3),
            DeviceState.OK,
            {"code": 0, "detailMessage": "Ok", "tokenType": "FREE", "freeMessages": 3},
        ),
        (
            Token(TokenType.FREE, None, 1, free_messages=0),
            DeviceState.OK,
            {"code": 1, "detailMessage": "Off contract", "tokenType": "FREE", "freeMessages": 0},
        ),
    ],
    ids=["no token", "ok", "expired", "off contract", "free", "free exhausted"],
)
def test_token_state(
    server: LiveServer,
    client: httpx.Client,
    acme: Tenant,
    type_id: str,
    token: Token | None,
    state: DeviceState,
    expected: dict[str, Any],
) -> None:
    add_device(server, type_id, "70CE", token=token, state=int(state))
    response = client.get("/api/devices/70CE/token-state", auth=acme.auth)
    assert response.status_code == 200
    assert response.json() == expected


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (DeviceState.OK, "OK"),
        (DeviceState.COMMUNICATION_TIMEOUT, "OK"),
        (DeviceState.OFF_CONTRACT, "OK"),
        (DeviceState.NETWORK_WARNING, "NOK"),
    ],
)
def test_network_state_is_nok_only_with_network_issues(
    server: LiveServer,
    client: httpx.Client,
    acme: Tenant,
    type_id: str,
    state: DeviceState,
    status: str,
) -> None:
    add_device(server, type_id, "4E7", state=int(state))
    response = client.get("/api/devices/4E7/networkstate", auth=acme.auth)
    assert response.status_code == 200
    assert response.json() == {"networkStatus": status}


def test_message_metrics_count_the_last_day_week_and_month(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "3E7")
    add_device(server, type_id, "3E8")
    now = now_ms()
    hours_ago = [1, 23, 25, 6 * 24, 8 * 24, 29 * 24, 31 * 24, 400 * 24]
    plain(server, "3E7", type_id, *(now - hours * HOUR_MS for hours in hours_ago))
    plain(server, "3E7", type_id, now - HOUR_MS)  # a second frame in the same hour
    plain(server, "3E8", type_id, now - HOUR_MS)
    response = client.get("/api/devices/3e7/messages/metric", auth=acme.auth)
    assert response.status_code == 200
    assert response.json() == {"lastDay": 3, "lastWeek": 5, "lastMonth": 7}


def test_message_metrics_of_a_silent_device_are_zero(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "5")
    assert client.get("/api/devices/5/messages/metric", auth=acme.auth).json() == {
        "lastDay": 0,
        "lastWeek": 0,
        "lastMonth": 0,
    }


def at(year: int, month: int, day: int, hour: int = 0) -> int:
    moment = datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)
    return int(moment.timestamp() * 1000)


def test_consumptions_have_one_entry_per_day_from_the_first_of_january(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "C0FE")

    def count(conn: Connection) -> None:
        for time in (at(2024, 1, 1), at(2024, 1, 1, 23), at(2024, 1, 10, 12), at(2024, 12, 31)):
            device_days.count_uplink(conn, "C0FE", time, 4)
        device_days.count_downlink(conn, "C0FE", at(2024, 1, 10, 13))
        device_days.count_downlink(conn, "C0FE", at(2024, 2, 29))
        # Just outside the year, on both sides.
        device_days.count_uplink(conn, "C0FE", at(2024, 1, 1) - 1, 4)
        device_days.count_uplink(conn, "C0FE", at(2025, 1, 1), 4)

    server.write(count)
    response = client.get("/api/device/c0fe/consumptions/2024", auth=acme.auth)
    assert response.status_code == 200
    body = response.json()
    assert body["consumption"]["id"] == "C0FE_2024"
    days = body["consumption"]["consumptions"]
    assert len(days) == 366
    counted = {
        index: (day["frameCount"], day["downlinkFrameCount"])
        for index, day in enumerate(days)
        if day != {"frameCount": 0, "downlinkFrameCount": 0}
    }
    assert counted == {0: (2, 0), 9: (1, 1), 59: (0, 1), 365: (1, 0)}


def test_consumptions_of_a_common_year_have_365_days(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "C0FE")
    server.write(device_days.count_uplink, "C0FE", at(2023, 12, 31, 8), 12)
    days = client.get("/api/device/C0FE/consumptions/2023", auth=acme.auth).json()
    assert len(days["consumption"]["consumptions"]) == 365
    assert days["consumption"]["consumptions"][364] == {"frameCount": 1, "downlinkFrameCount": 0}
    for year in (1970, 9999):
        edge = client.get(f"/api/device/C0FE/consumptions/{year}", auth=acme.auth)
        assert len(edge.json()["consumption"]["consumptions"]) == 365


def test_the_plural_path_answers_as_the_seeds_singular_one(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    add_device(server, type_id, "C0FE")
    server.write(device_days.count_uplink, "C0FE", at(2024, 3, 1, 8), 12)
    server.write(device_days.count_downlink, "C0FE", at(2024, 3, 1, 9))
    singular = client.get("/api/device/c0fe/consumptions/2024", auth=acme.auth)
    plural = client.get("/api/devices/c0fe/consumptions/2024", auth=acme.auth)
    assert plural.status_code == singular.status_code == 200
    assert plural.json() == singular.json()
    assert plural.json()["consumption"]["id"] == "C0FE_2024"
    assert plural.json()["consumption"]["consumptions"][60] == {
        "frameCount": 1,
        "downlinkFrameCount": 1,
    }


def test_the_plural_path_is_documented_as_an_alias(client: httpx.Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    singular = paths["/device/{device_id}/consumptions/{year}"]["get"]
    plural = paths["/devices/{device_id}/consumptions/{year}"]["get"]
    assert "alias of `GET /device/{device_id}/consumptions/{year}`" in plural["description"]
    assert plural["parameters"] == singular["parameters"]
    assert plural["responses"] == singular["responses"]
    assert plural["operationId"] != singular["operationId"]


@pytest.mark.parametrize("resource", ["device", "devices"])
def test_a_year_out_of_range_is_a_400(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str, resource: str
) -> None:
    add_device(server, type_id, "C0FE")
    for year in ("1969", "10000", "-1", "twenty"):
        response = client.get(f"/api/{resource}/C0FE/consumptions/{year}", auth=acme.auth)
        assert response.status_code == 400, year
        assert "year" in response.json()["message"]


DEVICE_PATHS = [
    "/api/devices/{}",
    "/api/devices/{}/token-state",
    "/api/devices/{}/networkstate",
    "/api/devices/{}/messages/metric",
    "/api/device/{}/consumptions/2024",
    "/api/devices/{}/consumptions/2024",
]


def test_another_tenants_device_is_answered_as_unknown(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    other = tenant(server, "Globex")
    add_device(server, new_type(server, other), "0E1")
    for path in DEVICE_PATHS:
        assert client.get(path.format("0E1"), auth=other.auth).status_code == 200, path
        response = client.get(path.format("0E1"), auth=acme.auth)
        assert response.status_code == 404, path
        assert response.json() == {"message": "Device 0E1 not found."}


def test_an_unknown_device_is_not_found(client: httpx.Client, acme: Tenant) -> None:
    for path in DEVICE_PATHS:
        for device_id in ("0E1", "XYZ", "123456789"):
            response = client.get(path.format(device_id), auth=acme.auth)
            assert response.status_code == 404, path
            assert response.json() == {"message": f"Device {device_id} not found."}


def test_another_tenants_device_type_is_answered_as_unknown(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    other = tenant(server, "Globex")
    other_type = new_type(server, other)
    add_device(server, other_type, "0E1")
    response = client.get(f"/api/devicetypes/{other_type}/devices", auth=acme.auth)
    assert response.status_code == 404
    assert response.json() == {"message": f"Device type {other_type} not found."}


def test_a_parent_group_sees_its_childs_devices_and_not_the_reverse(
    server: LiveServer, client: httpx.Client, acme: Tenant, type_id: str
) -> None:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    child_type = new_type(server, child)
    add_device(server, child_type, "C11D")
    add_device(server, type_id, "9A4E")
    listing = client.get(f"/api/devicetypes/{child_type}/devices", auth=acme.auth).json()
    assert [device["id"] for device in listing["data"]] == ["C11D"]
    for path in DEVICE_PATHS:
        assert client.get(path.format("C11D"), auth=acme.auth).status_code == 200
        assert client.get(path.format("9A4E"), auth=child.auth).status_code == 404
    response = client.get(f"/api/devicetypes/{type_id}/devices", auth=child.auth)
    assert response.status_code == 404
