from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Connection

from foxden.domain import credentials
from foxden.domain.coverage import KM_PER_DEGREE
from foxden.storage import stations
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer

LAT, LNG = 43.6045, 1.4440


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


def add_station(
    server: LiveServer, name: str, lat: float | None = None, lng: float | None = None
) -> None:
    token = credentials.new_token()

    def make(conn: Connection) -> None:
        stations.create(conn, name, token.stored, lat=lat, lng=lng)

    server.write(make)


def add_station_north(server: LiveServer, km: float) -> None:
    add_station(server, f"{km} km north", LAT + km / KM_PER_DEGREE, LNG)


def redundancy(
    client: httpx.Client, auth: tuple[str, str], **params: float | str
) -> httpx.Response:
    return client.get("/api/coverages/redundancy", params=params, auth=auth)


def test_no_station_is_no_redundancy(client: httpx.Client, acme: Tenant) -> None:
    response = redundancy(client, acme.auth, lat=LAT, lng=LNG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"redundancy": 0}


def test_each_mode_counts_the_stations_in_its_range(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    # Ranges: UNDERGROUND 1.9 km, INDOOR 3.7 km, OUTDOOR 13.5 km (docs/decisions/0007).
    for km in (1.0, 3.0, 10.0, 13.0, 14.0, 60.0):
        add_station_north(server, km)
    add_station(server, "no position")
    add_station(server, "latitude only", lat=LAT)
    expected = {"UNDERGROUND": 1, "INDOOR": 2, "OUTDOOR": 3}
    for mode, count in expected.items():
        body = redundancy(client, acme.auth, lat=LAT, lng=LNG, mode=mode).json()
        assert body == {"redundancy": count}, mode
    assert redundancy(client, acme.auth, lat=LAT, lng=LNG).json() == {"redundancy": 2}


def test_stations_just_inside_and_outside_the_indoor_range(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    add_station_north(server, 3.65)
    add_station_north(server, 3.68)
    assert redundancy(client, acme.auth, lat=LAT, lng=LNG, mode="INDOOR").json() == {
        "redundancy": 1
    }


def test_a_station_across_the_antimeridian_counts(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    add_station(server, "west of the line", lat=-17.0, lng=-179.995)
    body = redundancy(client, acme.auth, lat=-17.0, lng=179.995, mode="UNDERGROUND").json()
    assert body == {"redundancy": 1}


def test_every_tenant_sees_the_networks_stations(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    add_station_north(server, 0.5)
    other = tenant(server, "Globex")
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    for auth in (acme.auth, other.auth, child.auth):
        assert redundancy(client, auth, lat=LAT, lng=LNG).json() == {"redundancy": 1}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("lng=1.4", "lat"),
        ("lat=43.6", "lng"),
        ("lat=90.01&lng=0", "lat"),
        ("lat=-90.01&lng=0", "lat"),
        ("lat=0&lng=180.5", "lng"),
        ("lat=0&lng=-181", "lng"),
        ("lat=north&lng=0", "lat"),
        ("lat=nan&lng=0", "lat"),
        ("lat=0&lng=inf", "lng"),
        ("lat=0&lng=0&mode=indoor", "mode"),
        ("lat=0&lng=0&mode=SKY", "mode"),
        ("lat=0&lng=0&mode=", "mode"),
    ],
)
@pytest.mark.parametrize("path", ["redundancy", "global/predictions"])
def test_bad_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, query: str, named: str, path: str
) -> None:
    response = client.get(f"/api/coverages/{path}?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert named in response.json()["message"]


@pytest.mark.parametrize(("lat", "lng"), [(90, 180), (-90, -180)])
def test_the_bounds_themselves_are_valid(
    client: httpx.Client, acme: Tenant, lat: float, lng: float
) -> None:
    assert redundancy(client, acme.auth, lat=lat, lng=lng).json() == {"redundancy": 0}
    assert predictions(client, acme.auth, lat=lat, lng=lng).json() == {"margins": [0, 0, 0]}


def predictions(
    client: httpx.Client, auth: tuple[str, str], **params: float | str
) -> httpx.Response:
    return client.get("/api/coverages/global/predictions", params=params, auth=auth)


def test_no_station_is_no_margin(client: httpx.Client, acme: Tenant) -> None:
    response = predictions(client, acme.auth, lat=LAT, lng=LNG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"margins": [0, 0, 0]}


def test_margins_are_those_of_the_three_best_stations_in_whole_db(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    # L(d) = 116.1 + 35.2 log10(d) dB from 1 km on, of a 156 dB budget less 0, 20 or 30 dB
    # (docs/decisions/0007): 0.5 km leaves 39.9 dB outdoors (taken at 1 km), 2 km 29.3,
    # 5 km 15.2, 10 km 4.6, and 14 km is out of range.
    for km in (14.0, 0.5, 10.0, 2.0, 5.0):
        add_station_north(server, km)
    add_station(server, "no position")
    expected = {"OUTDOOR": [39, 29, 15], "INDOOR": [19, 9, 0], "UNDERGROUND": [9, 0, 0]}
    for mode, margins in expected.items():
        body = predictions(client, acme.auth, lat=LAT, lng=LNG, mode=mode).json()
        assert body == {"margins": margins}, mode
    assert predictions(client, acme.auth, lat=LAT, lng=LNG).json() == {"margins": [19, 9, 0]}


def test_as_many_margins_are_positive_as_the_redundancy_counts(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    for km in (0.5, 2.0, 5.0):
        add_station_north(server, km)
    for mode in ("OUTDOOR", "INDOOR", "UNDERGROUND"):
        margins = predictions(client, acme.auth, lat=LAT, lng=LNG, mode=mode).json()["margins"]
        count = redundancy(client, acme.auth, lat=LAT, lng=LNG, mode=mode).json()["redundancy"]
        assert sum(margin > 0 for margin in margins) == count, mode


def test_every_tenant_sees_the_same_margins(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    add_station_north(server, 2.0)
    other = tenant(server, "Globex")
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    for auth in (acme.auth, other.auth, child.auth):
        body = predictions(client, auth, lat=LAT, lng=LNG, mode="OUTDOOR").json()
        assert body == {"margins": [29, 0, 0]}
