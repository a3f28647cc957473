from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import Connection

from foxden.config import Settings
from foxden.domain.devices import Device
from foxden.storage import device_types, devices, registration_jobs
from foxden.storage.migrate import open_database
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer

T = TypeVar("T")

PAC = "0123456789ABCDEF"
SEED_PK = "16b3cc86699ab4d3091a05ee"


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


@pytest.fixture
def sensor(server: LiveServer, acme: Tenant) -> str:
    return device_type(server, acme)


def device_type(server: LiveServer, owner: Tenant, name: str = "Sensor") -> str:
    return server.write(lambda conn: device_types.create(conn, owner.group_id, name).id)


def device(server: LiveServer, device_id: str) -> Device | None:
    return server.read(devices.get, device_id)


def register(
    client: httpx.Client, owner: Tenant, device_type_id: str, body: dict[str, Any]
) -> httpx.Response:
    return client.post(f"/api/devicetypes/{device_type_id}", json=body, auth=owner.auth)


def bulk(
    client: httpx.Client, owner: Tenant, device_type_id: str, body: dict[str, Any]
) -> httpx.Response:
    return client.post(
        f"/api/devicetypes/{device_type_id}/devices/bulk/create/async", json=body, auth=owner.auth
    )


def finished(
    client: httpx.Client, owner: Tenant, device_type_id: str, job_id: str
) -> dict[str, Any]:
    """The job's status once it is done."""
    deadline = time.monotonic() + 60
    while True:
        response = client.get(
            f"/api/devicetypes/{device_type_id}/registration/{job_id}", auth=owner.auth
        )
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        if status["jobDone"]:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.05)


def test_the_seed_example_registers_its_device(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensor: str
) -> None:
    body = {"prefix": "test-device-", "ids": [{"id": "C031", "pk": SEED_PK}]}
    response = register(client, acme, sensor, body)
    assert response.status_code == 200
    assert response.json() == ["C031"]
    made = device(server, "C031")
    assert made is not None
    assert (made.name, made.device_type_id) == ("test-device-C031", sensor)
    # A 24-hex-digit key is a product key, not a PAC: the device gets a PAC of its own.
    assert re.fullmatch("[0-9A-F]{16}", made.pac)


def test_ids_and_pacs_round_trip_in_canonical_form(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensor: str
) -> None:
    body = {
        "prefix": "meter-",
        "ids": [
            {"id": "1a2b", "pac": PAC.lower()},
            {"id": "FFFFFFFF", "pk": "FEDCBA9876543210"},
            {"id": " 7 ", "pac": PAC, "unknown": "ignored"},
        ],
    }
    response = register(client, acme, sensor, body)
    assert response.status_code == 200
    assert response.json() == ["1A2B", "FFFFFFFF", "7"]
    found = {d: device(server, d) for d in response.json()}
    assert {d: (f.name, f.pac, f.device_type_id) for d, f in found.items() if f} == {
        "1A2B": ("meter-1A2B", PAC, sensor),
        "FFFFFFFF": ("meter-FFFFFFFF", "FEDCBA9876543210", sensor),
        "7": ("meter-7", PAC, sensor),
    }


def test_without_prefix_the_name_is_the_id(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensor: str
) -> None:
    assert register(client, acme, sensor, {"ids": [{"id": "AB", "pac": PAC}]}).json() == ["AB"]
    made = device(server, "AB")
    assert made is not None
    assert made.name == "AB"


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ({"id": "XYZ", "pac": PAC}, "ids: invalid device id 'XYZ'"),
        ({"id": "123456789", "pac": PAC}, "ids: invalid device id '123456789'"),
        ({"id": "BAD1", "pac": "0123"}, "ids: device BAD1: invalid PAC '0123'"),
        ({"id": "BAD1", "pac": "G" * 24}, "ids: device BAD1: invalid PAC"),
        ({"id": "BAD1"}, "ids: device BAD1 has no PAC"),
        ({"id": "a1", "pac": PAC}, "ids: device A1 is given more than once"),
        ({"id": "E015", "pac": PAC}, "ids: device E015 is already registered"),
    ],
)
def test_one_bad_device_registers_none(
    server: LiveServer,
    client: httpx.Client,
    acme: Tenant,
    sensor: str,
    bad: dict[str, str],
    says: str,
) -> None:
    elsewhere = device_type(server, tenant(server, "Globex"))
    server.write(devices.create, "E015", elsewhere, PAC)
    body = {"prefix": "x-", "ids": [{"id": "A1", "pac": PAC}, {"id": "A2", "pac": PAC}, bad]}
    response = register(client, acme, sensor, body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(says), response.json()
    assert device(server, "A1") is None
    assert device(server, "A2") is None


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"prefix": "x"}, "ids"),
        ({"ids": []}, "ids"),
        ({"ids": [{"id": f"{n:X}", "pac": PAC} for n in range(5001)]}, "ids"),
        ({"ids": [{"pac": PAC}]}, "ids.0.id"),
        ({"ids": [{"id": 12, "pac": PAC}]}, "ids.0.id"),
        ({"ids": [{"id": "1", "pac": 12}]}, "ids.0.pac"),
        ({"prefix": "p" * 248, "ids": [{"id": "1", "pac": PAC}]}, "prefix"),
        ({"prefix": 3, "ids": [{"id": "1", "pac": PAC}]}, "prefix"),
    ],
)
@pytest.mark.parametrize("path", ["", "/devices/bulk/create/async"])
def test_malformed_requests_are_a_400_naming_the_field(
    client: httpx.Client, acme: Tenant, sensor: str, body: dict[str, Any], names: str, path: str
) -> None:
    response = client.post(f"/api/devicetypes/{sensor}{path}", json=body, auth=acme.auth)
    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{names}: ")


@pytest.mark.parametrize("path", ["", "/devices/bulk/create/async"])
def test_another_tenants_device_type_is_not_found(
    server: LiveServer, client: httpx.Client, acme: Tenant, path: str
) -> None:
    others = device_type(server, tenant(server, "Globex"))
    body = {"ids": [{"id": "1", "pac": PAC}]}
    for target in (others, "0" * 24):
        response = client.post(f"/api/devicetypes/{target}{path}", json=body, auth=acme.auth)
        assert response.status_code == 404
        assert response.json() == {"message": f"Device type {target} not found."}
    assert device(server, "1") is None


def test_a_parent_group_registers_in_a_child_groups_device_type(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = tenant(server, "Child", parent_id=acme.group_id)
    childs = device_type(server, child)
    assert register(client, acme, childs, {"ids": [{"id": "C1", "pac": PAC}]}).status_code == 200
    parents = device_type(server, acme)
    refused = register(client, child, parents, {"ids": [{"id": "C2", "pac": PAC}]})
    assert refused.status_code == 404


def test_bulk_job_registers_the_valid_devices_and_reports_the_others(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensor: str
) -> None:
    server.write(devices.create, "E015", sensor, PAC)
    # More than one chunk, with failures of every kind in both.
    good = [f"{0x10000 + n:X}" for n in range(600)]
    requested: list[dict[str, str]] = [{"id": d, "pac": PAC} for d in good]
    requested[10:10] = [{"id": "nothex", "pac": PAC}]
    requested[300:300] = [{"id": "E015", "pk": SEED_PK}, {"id": "5", "pac": "short"}]
    requested.append({"id": good[0].lower(), "pac": PAC})
    response = bulk(client, acme, sensor, {"prefix": "bulk-", "ids": requested})
    assert response.status_code == 200
    queued = response.json()
    assert set(queued) == {"total", "jobId"}
    assert queued["total"] == len(requested)
    assert re.fullmatch("[0-9a-f]{24}", queued["jobId"])
    status = finished(client, acme, sensor, queued["jobId"])
    assert status == {
        "jobDone": True,
        "total": len(requested),
        "status": {
            "success": len(good),
            "failed": [
                {
                    "id": "nothex",
                    "message": "invalid device id 'nothex': expected 1 to 8 hex digits",
                },
                {"id": "E015", "message": "device E015 is already registered"},
                {"id": "5", "message": "device 5: invalid PAC 'short': expected 16 hex digits"},
                {"id": good[0].lower(), "message": f"device {good[0]} is given more than once"},
            ],
        },
    }
    for device_id in (good[0], good[299], good[-1]):
        made = device(server, device_id)
        assert made is not None
        assert (made.name, made.pac, made.device_type_id) == (f"bulk-{device_id}", PAC, sensor)
    assert server.read(devices.count, sensor) == len(good) + 1


def test_a_job_is_seen_only_through_its_device_type(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensor: str
) -> None:
    job_id = bulk(client, acme, sensor, {"ids": [{"id": "1", "pac": PAC}]}).json()["jobId"]
    assert finished(client, acme, sensor, job_id)["status"] == {"success": 1, "failed": []}
    sibling = device_type(server, acme, "Sibling")
    globex = tenant(server, "Globex")
    for owner, type_id, job in [
        (acme, sibling, job_id),
        (acme, sensor, "0" * 24),
        (acme, sensor, "not-a-job"),
        (globex, sensor, job_id),
        (globex, device_type(server, globex), job_id),
    ]:
        response = client.get(f"/api/devicetypes/{type_id}/registration/{job}", auth=owner.auth)
        assert response.status_code == 404, (type_id, job)
        message = response.json()["message"]
        assert message in (f"Registration job {job} not found.", f"Device type {sensor} not found.")


async def _on(url: str, body: Callable[..., T], *args: object) -> T:
    db = await open_database(Settings(database_url=url))
    try:
        return await db.write(body, *args)
    finally:
        await db.close()


def test_a_new_server_finishes_a_job_left_unfinished(settings: Settings) -> None:
    first = LiveServer(settings)
    try:
        owner = tenant(first, "Acme")
        sensor = device_type(first, owner)
    finally:
        first.stop()
    requested = [{"id": f"{n:X}", "pac": PAC} for n in range(1, 401)]

    def half_done(conn: Connection) -> str:
        """A job whose first device was registered before its server stopped."""
        job = registration_jobs.create(conn, sensor, "r-", requested)
        devices.create(conn, "1", sensor, PAC, name="r-1")
        return registration_jobs.advance(conn, job, 1, []).id

    job_id = asyncio.run(_on(settings.database_url, half_done))
    second = LiveServer(settings)
    try:
        with httpx.Client(base_url=second.url, timeout=30) as client:
            status = finished(client, owner, sensor, job_id)
        assert status == {
            "jobDone": True,
            "total": 400,
            "status": {"success": 400, "failed": []},
        }
        assert second.read(devices.count, sensor) == 400
        last = device(second, "190")
        assert last is not None
        assert (last.name, last.pac) == ("r-190", PAC)
    finally:
        second.stop()
