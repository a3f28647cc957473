"""Tenant walls for every operation of the Sigfox v1 API, enumerated from its OpenAPI document.

Three tenants: Acme, its child group Acme Water (which owns the objects), and Globex. For each
operation: no credentials is a 401 with the Basic challenge; Globex naming Acme Water's objects
is a 404, exactly as an unknown id, and Globex's own lists never mention them; Acme, the parent
group, reaches them. A new operation whose path names an object this suite cannot provide fails
here until the suite learns it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from foxden.api import sigfox_v1
from foxden.api.runtime import Runtime
from foxden.config import Settings
from foxden.domain.callbacks import CallbackSubtype, CallbackType
from foxden.storage import callbacks, device_types, devices, downlinks
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer


@dataclass(frozen=True)
class World:
    acme: Tenant
    water: Tenant
    globex: Tenant
    device_type_id: str
    device_id: str
    callback_id: str
    job_id: str
    downlink_id: str

    @property
    def secrets(self) -> tuple[str, ...]:
        """Ids of Acme Water's objects, which Globex must never read."""
        return (self.water.group_id, self.device_type_id, self.callback_id, self.job_id)


def _operations() -> list[tuple[str, str, str]]:
    document = sigfox_v1.create_api(Runtime(Settings(database_url="sqlite:///unused"))).openapi()
    return sorted(
        (operation["operationId"], method.upper(), path)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    )


OPERATIONS = _operations()

# What each path parameter names: always one of Acme Water's objects.
PATH: dict[str, Callable[[World], str]] = {
    "group_id": lambda w: w.water.group_id,
    "device_type_id": lambda w: w.device_type_id,
    "device_id": lambda w: w.device_id,
    "callback_id": lambda w: w.callback_id,
    "job_id": lambda w: w.job_id,
    "downlink_id": lambda w: w.downlink_id,
    "year": lambda w: "2026",
}

# The query and body an operation needs to name Acme Water's objects or to be valid at all.
QUERY: dict[str, Callable[[World], dict[str, str]]] = {
    "list_groups": lambda w: {"parentId": w.water.group_id},
    "list_users": lambda w: {"groupId": w.water.group_id},
    "list_failed_callbacks": lambda w: {"groupId": w.water.group_id},
    "enable_callback": lambda w: {"enabled": "false"},
    "replay_callback": lambda w: {"since": "0"},
    "get_redundancy": lambda w: {"lat": "43.5", "lng": "1.4"},
    "get_predictions": lambda w: {"lat": "43.5", "lng": "1.4"},
}
BODY: dict[str, Callable[[World], Any]] = {
    "edit_device_type": lambda w: {"id": w.device_type_id, "description": "walls"},
    "create_callbacks": lambda w: [
        {
            "channel": "EMAIL",
            "callbackType": 0,
            "callbackSubtype": 2,
            "subject": "{device}",
            "recipient": "ops@example.com",
            "message": "{data}",
        }
    ],
    "register_devices": lambda w: {"prefix": "w-", "ids": [{"id": "BEEF", "pk": "0" * 16}]},
    "create_devices_async": lambda w: {"prefix": "w-", "ids": [{"id": "BEF0", "pac": "0" * 16}]},
    "create_downlink": lambda w: {"data": "0011223344556677"},
}
# Lists that name no object: Globex gets its own (empty) view instead of a 404.
UNSCOPED = {"list_device_types", "get_redundancy", "get_predictions"}


@pytest.fixture
def world(server: LiveServer, client: httpx.Client) -> World:
    acme = tenant(server, "Acme")
    water = tenant(server, "Acme Water", parent_id=acme.group_id)
    globex = tenant(server, "Globex")

    def make(conn: Connection) -> tuple[str, str, str, str]:
        device_type = device_types.create(conn, water.group_id, "Meter")
        device = devices.create(conn, "C0FE", device_type.id, "0" * 16)
        bidir = callbacks.create(
            conn,
            device_type.id,
            "URL",
            CallbackType.DATA,
            CallbackSubtype.BIDIR,
            settings={"url": "http://127.0.0.1:9/hook", "httpMethod": "POST"},
        )
        queued = downlinks.enqueue(conn, device.id, "0011223344556677", 0, None)
        return device_type.id, device.id, bidir.id, str(queued.id)

    device_type_id, device_id, callback_id, downlink_id = server.write(make)
    job = client.post(
        f"/api/devicetypes/{device_type_id}/devices/bulk/create/async",
        json={"prefix": "j-", "ids": [{"id": "C0DE", "pac": "1" * 16}]},
        auth=water.auth,
    )
    assert job.status_code == 200, job.text
    return World(
        acme,
        water,
        globex,
        device_type_id,
        device_id,
        callback_id,
        job.json()["jobId"],
        downlink_id,
    )


def _request(world: World, operation_id: str, method: str, path: str) -> httpx.Request:
    params = {name.strip("{}") for name in path.split("/") if name.startswith("{")}
    unknown = params - PATH.keys()
    assert not unknown, f"{operation_id}: no object for path parameters {unknown}"
    for name in params:
        path = path.replace(f"{{{name}}}", PATH[name](world))
    query = QUERY.get(operation_id, lambda w: {})(world)
    body = BODY.get(operation_id)
    return httpx.Request(
        method, f"/api{path}", params=query, json=body(world) if body is not None else None
    )


def _send(client: httpx.Client, request: httpx.Request, who: Tenant | None) -> httpx.Response:
    auth = httpx.BasicAuth(*who.auth) if who is not None else None
    return client.request(
        request.method,
        str(request.url),
        content=request.content or None,
        headers={"content-type": "application/json"} if request.content else None,
        auth=auth,
    )


@pytest.mark.parametrize(("operation_id", "method", "path"), OPERATIONS)
def test_every_operation_keeps_tenants_apart(
    client: httpx.Client, world: World, operation_id: str, method: str, path: str
) -> None:
    request = _request(world, operation_id, method, path)

    anonymous = _send(client, request, None)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["www-authenticate"].startswith("Basic realm=")
    assert set(anonymous.json()) == {"message"}

    outsider = _send(client, request, world.globex)
    if operation_id in UNSCOPED:
        assert outsider.status_code == 200, outsider.text
        assert not any(secret in outsider.text for secret in world.secrets)
    else:
        assert outsider.status_code == 404, outsider.text
        assert set(outsider.json()) == {"message"}

    parent = _send(client, request, world.acme)
    assert 200 <= parent.status_code < 300, parent.text


def test_the_suite_covers_every_operation_it_configures() -> None:
    known = {operation_id for operation_id, _, _ in OPERATIONS}
    assert set(QUERY) | set(BODY) | UNSCOPED <= known
