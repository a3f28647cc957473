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
def test_bad_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, query: str, named: str
) -> None:
    response = client.get(f"/api/coverages/redundancy?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert named in response.json()["message"]


@pytest.mark.parametrize(("lat", "lng"), [(90, 180), (-90, -180)])
def test_the_bounds_themselves_are_valid(
    client: httpx.Client, acme: Tenant, lat: float, lng: float
) -> None:
    assert redundancy(client, acme.auth, lat=lat, lng=lng).json() == {"redundancy": 0}
