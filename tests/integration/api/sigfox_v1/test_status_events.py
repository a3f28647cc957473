from __future__ import annotations

import dataclasses

import httpx
import pytest
from sqlalchemy import Connection

from foxden.domain.errors import InvalidInput
from foxden.domain.status_events import Severity
from foxden.storage import callback_attempts, status_events
from foxden.storage.callback_attempts import Attempt
from tests.support.factories import Tenant, owned_devices, tenant
from tests.support.server import LiveServer

# The seed's example time: Unix ms with a non-zero millisecond part, so a unit slip shows.
T = 1381410600026
SILENT = "No message received since 2013-10-08 15:36:21"
NETWORK = "Sigfox network experiencing issues that could cause message loss or delay."


def http_attempt(device_type_id: str, url: str, status: int, info: str | None = None) -> Attempt:
    return Attempt(
        callback_id="0" * 24,
        channel="URL",
        device_type_id=device_type_id,
        event_time=0,
        time=0,
        status=status,
        info=info,
        request={"url": url, "method": "GET"},
    )


def mail_attempt(device_type_id: str, subject: str, status: int) -> Attempt:
    return Attempt(
        callback_id="1" * 24,
        channel="EMAIL",
        device_type_id=device_type_id,
        event_time=0,
        time=0,
        status=status,
        request={"subject": subject, "recipient": "ops@example.com", "message": "some messages"},
    )


def event(
    server: LiveServer,
    device_type_id: str,
    severity: Severity,
    time: int,
    device_ids: list[str],
    *attempts: Attempt,
    message: str | None = None,
) -> int:
    """A status event and the callback attempts made for it, oldest attempt first."""
    text = message or (SILENT if severity is Severity.ERROR else NETWORK)

    def make(conn: Connection) -> int:
        event_id = status_events.create(conn, device_type_id, severity, time, text, device_ids)
        for attempt in attempts:
            callback_attempts.record(
                conn,
                dataclasses.replace(
                    attempt, status_event_id=event_id, event_time=time, time=time + 1000
                ),
            )
        return event_id

    return server.write(make)


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


@pytest.fixture
def sensors(server: LiveServer, acme: Tenant) -> str:
    return owned_devices(server, acme, "0235", "023A", "4830")


def test_error_events_of_a_device_type_have_the_seed_fields(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    event(
        server,
        sensors,
        Severity.ERROR,
        T,
        ["0235"],
        http_attempt(sensors, "http://host/path?id=0235", 600, "Connection refused: host/path"),
        mail_attempt(sensors, "some subject", 200),
    )
    event(
        server,
        sensors,
        Severity.ERROR,
        T - 110_000_000,
        ["4830"],
        http_attempt(sensors, "http://host/path?id=4830", 200),
    )
    event(server, sensors, Severity.WARN, T + 1, ["0235", "4830"])
    response = client.get(f"/api/devicetypes/{sensors}/status/error", auth=acme.auth)
    assert response.status_code == 200
    assert response.json() == {
        "data": [
            {
                "deviceId": "0235",
                "time": T,
                "message": SILENT,
                "severity": "ERROR",
                "deviceTypeId": sensors,
                "callbacks": [
                    {
                        "url": "http://host/path?id=0235",
                        "status": 600,
                        "info": "Connection refused: host/path",
                    },
                    {"subject": "some subject", "message": "some messages", "status": 200},
                ],
            },
            {
                "deviceId": "4830",
                "time": T - 110_000_000,
                "message": SILENT,
                "severity": "ERROR",
                "deviceTypeId": sensors,
                "callbacks": [{"url": "http://host/path?id=4830", "status": 200}],
            },
        ]
    }


def test_warn_events_of_a_device_type_name_the_type_device_id(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    event(
        server,
        sensors,
        Severity.WARN,
        T,
        ["4830", "0235", "023A"],
        http_attempt(sensors, "http://host/path?id=0235", 600, "Connection refused: host/path"),
    )
    event(server, sensors, Severity.WARN, T - 1, ["023A"])
    event(server, sensors, Severity.ERROR, T + 1, ["0235"])
    body = client.get(f"/api/devicetypes/{sensors}/status/warn", auth=acme.auth).json()
    assert body == {
        "data": [
            {
                "deviceIds": ["0235", "023A", "4830"],
                "time": T,
                "message": NETWORK,
                "severity": "WARN",
                "deviceId": sensors,
                "callbacks": [
                    {
                        "url": "http://host/path?id=0235",
                        "status": 600,
                        "info": "Connection refused: host/path",
                    }
                ],
            },
            {
                "deviceIds": ["023A"],
                "time": T - 1,
                "message": NETWORK,
                "severity": "WARN",
                "deviceId": sensors,
            },
        ]
    }


def test_error_events_of_a_device_are_its_own_only(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    event(
        server,
        sensors,
        Severity.ERROR,
        T,
        ["4830"],
        mail_attempt(sensors, "4830 is down", 600),
    )
    event(server, sensors, Severity.ERROR, T + 5, ["0235"])
    event(server, sensors, Severity.WARN, T + 6, ["4830"])
    body = client.get("/api/devices/4830/status/error", auth=acme.auth).json()
    assert body == {
        "data": [
            {
                "deviceId": "4830",
                "time": T,
                "message": SILENT,
                "severity": "ERROR",
                "deviceTypeId": sensors,
                "callbacks": [
                    {"subject": "4830 is down", "message": "some messages", "status": 600}
                ],
            }
        ]
    }


def test_warn_events_of_a_device_are_those_naming_it(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    event(server, sensors, Severity.WARN, T, ["0235", "023A", "4830"])
    event(server, sensors, Severity.WARN, T + 1, ["0235"])
    event(server, sensors, Severity.ERROR, T + 2, ["023A"])
    body = client.get("/api/devices/023a/status/warn", auth=acme.auth).json()
    assert body == {
        "data": [
            {
                "deviceIds": ["0235", "023A", "4830"],
                "time": T,
                "message": NETWORK,
                "severity": "WARN",
                "deviceId": sensors,
            }
        ]
    }


def test_lists_are_empty_without_events(client: httpx.Client, acme: Tenant, sensors: str) -> None:
    for path in (
        f"/api/devicetypes/{sensors}/status/error",
        f"/api/devicetypes/{sensors}/status/warn",
        "/api/devices/0235/status/error",
        "/api/devices/0235/status/warn",
    ):
        assert client.get(path, auth=acme.auth).json() == {"data": []}


LISTS = [
    ("devicetypes/{type}/status/error", Severity.ERROR),
    ("devicetypes/{type}/status/warn", Severity.WARN),
    ("devices/0235/status/error", Severity.ERROR),
    ("devices/0235/status/warn", Severity.WARN),
]


def many_events(server: LiveServer, device_type_id: str, severity: Severity) -> list[str]:
    """Eight events at four instants (ties included), one of them of device 4830, each marked by
    the URL of its one callback attempt (the API shows no event id). Returns the marks, newest
    first and the last stored first among equal times, each tagged ``#<device>``."""
    made = [(T + 3, "0235"), (T + 3, "0235"), (T + 2, "4830"), (T + 3, "0235"), (T + 2, "0235")]
    made += [(T + 1, "0235"), (T + 1, "0235"), (T, "0235")]

    def make(conn: Connection) -> list[tuple[int, int, str]]:
        stored = []
        for time, device_id in made:
            event_id = status_events.create(
                conn, device_type_id, severity, time, SILENT, [device_id]
            )
            attempt = http_attempt(device_type_id, f"http://sink/{event_id}", 200)
            callback_attempts.record(conn, dataclasses.replace(attempt, status_event_id=event_id))
            stored.append((time, event_id, device_id))
        return stored

    stored = sorted(server.write(make), reverse=True)
    return [f"http://sink/{event_id}#{device_id}" for _, event_id, device_id in stored]


@pytest.mark.parametrize(("path", "severity"), LISTS, ids=[p for p, _ in LISTS])
@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_next_links_followed_to_the_end_yield_every_event_once_in_order(
    server: LiveServer,
    client: httpx.Client,
    acme: Tenant,
    sensors: str,
    path: str,
    severity: Severity,
    limit: int,
) -> None:
    marks = many_events(server, sensors, severity)
    if path.startswith("devices/"):
        marks = [mark for mark in marks if mark.endswith("#0235")]
    url: str | None = f"{server.url}/api/{path.format(type=sensors)}?limit={limit}&since={T}"
    seen: list[str] = []
    pages = 0
    while url is not None:
        body = client.get(url, auth=acme.auth).json()
        assert len(body["data"]) <= limit
        seen += [item["callbacks"][0]["url"] for item in body["data"]]
        url = body.get("paging", {}).get("next")
        pages += 1
        if url is not None:
            assert url.startswith(f"{server.url}/api/{path.format(type=sensors)}?")
            params = httpx.URL(url).params
            assert (params["limit"], params["since"]) == (str(limit), str(T))
    assert seen == [mark.split("#")[0] for mark in marks]
    assert pages == max(1, -(-len(marks) // limit))


def test_before_and_since_are_milliseconds_since_inclusive_before_exclusive(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    event(server, sensors, Severity.ERROR, T, ["0235"])
    path = f"/api/devicetypes/{sensors}/status/error"

    def times(**params: int) -> list[int]:
        body = client.get(path, params=params, auth=acme.auth).json()
        return [item["time"] for item in body["data"]]

    assert times(since=T) == [T]
    assert times(since=T + 1) == []
    assert times(before=T) == []
    assert times(before=T + 1) == [T]
    assert times(since=T, before=T + 1) == [T]
    # In seconds the event would be far in the future of ``since``: nothing is found.
    assert times(before=T // 1000 + 1) == []


def test_offset_skips_events(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    for n in range(3):
        event(server, sensors, Severity.WARN, T + n, ["0235"])
    body = client.get(
        "/api/devices/0235/status/warn", params={"offset": 1, "limit": 1}, auth=acme.auth
    ).json()
    assert [item["time"] for item in body["data"]] == [T + 1]
    assert "paging" in body


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=ten", "offset=-1", "offset=5001", "before=-1", "since=x"],
)
@pytest.mark.parametrize("path", [p for p, _ in LISTS])
def test_invalid_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, sensors: str, path: str, query: str
) -> None:
    response = client.get(f"/api/{path.format(type=sensors)}?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert query.split("=")[0] in response.json()["message"]


@pytest.mark.parametrize("severity", ["error", "warn"])
def test_another_tenants_objects_are_answered_as_unknown(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str, severity: str
) -> None:
    globex = tenant(server, "Globex")
    theirs = owned_devices(server, globex, "BEEF")
    event(server, theirs, Severity(severity.upper()), T, ["BEEF"])
    for path, name in (
        (f"/api/devicetypes/{theirs}/status/{severity}", f"Device type {theirs}"),
        (f"/api/devicetypes/{'0' * 24}/status/{severity}", f"Device type {'0' * 24}"),
        (f"/api/devicetypes/not-an-id/status/{severity}", "Device type not-an-id"),
        (f"/api/devices/BEEF/status/{severity}", "Device BEEF"),
        (f"/api/devices/ABCD/status/{severity}", "Device ABCD"),
        (f"/api/devices/xyz/status/{severity}", "Device xyz"),
    ):
        response = client.get(path, auth=acme.auth)
        assert response.status_code == 404, path
        assert response.json() == {"message": f"{name} not found."}
    assert client.get(f"/api/devices/BEEF/status/{severity}", auth=globex.auth).status_code == 200


@pytest.mark.parametrize("severity", [Severity.ERROR, Severity.WARN])
def test_a_parent_group_sees_its_child_groups_events(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str, severity: Severity
) -> None:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    meters = owned_devices(server, child, "CAFE")
    event(server, meters, severity, T, ["CAFE"])
    name = severity.value.lower()
    for path in (f"/api/devicetypes/{meters}/status/{name}", f"/api/devices/CAFE/status/{name}"):
        body = client.get(path, auth=acme.auth).json()
        assert [item["time"] for item in body["data"]] == [T]
    # The child's credentials do not reach up to the parent's devices.
    for path in (f"/api/devicetypes/{sensors}/status/{name}", f"/api/devices/0235/status/{name}"):
        assert client.get(path, auth=child.auth).status_code == 404


@pytest.mark.parametrize(
    ("severity", "device_ids"),
    [(Severity.ERROR, []), (Severity.ERROR, ["0235", "4830"]), (Severity.WARN, [])],
)
def test_an_event_concerns_one_device_or_for_warn_at_least_one(
    server: LiveServer, sensors: str, severity: Severity, device_ids: list[str]
) -> None:
    with pytest.raises(InvalidInput):
        server.write(status_events.create, sensors, severity, T, SILENT, device_ids)
