from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from foxden.domain.clock import DAY_MS, now_ms
from foxden.domain.messages import Reception
from foxden.domain.status_events import Severity
from foxden.domain.uplinks import FrameKind
from foxden.storage import callback_attempts, groups, messages, status_events
from foxden.storage.callback_attempts import Attempt
from tests.support.factories import Tenant, owned_devices, tenant
from tests.support.server import LiveServer

PATH = "/api/callbacks/messages/error"
DATA = "3b3616201e100000"
# A day ago, on a whole second plus 26 ms, so that a slip between seconds and ms shows.
T = (now_ms() // 1000 - 86_400) * 1000 + 26


def attempt(
    info: str,
    *,
    channel: str = "URL",
    status: int = 600,
    request: dict[str, Any] | None = None,
    parameters: dict[str, Any] | None = None,
    failed: bool = True,
) -> Attempt:
    """An attempt to deliver a message; ``failed``: the last one, the delivery given up."""
    return Attempt(
        callback_id="0" * 24,
        channel=channel,
        device_type_id="",
        event_time=0,
        time=0,
        status=status,
        info=info,
        request=request if request is not None else {"url": "http://host/", "method": "GET"},
        parameters=parameters or {},
        failed=failed,
    )


def failed_message(
    server: LiveServer,
    device_type_id: str,
    device_id: str,
    time: int,
    *attempts: Attempt,
    snr: float | None = 10.5,
) -> list[int]:
    """A message of ``device_id`` at ``time`` (ms) and the attempts to deliver it, in order;
    the attempts' ids."""

    def make(conn: Connection) -> list[int]:
        message_id = messages.create(
            conn,
            device_id=device_id,
            device_type_id=device_type_id,
            time=time,
            seq_number=1,
            kind=FrameKind.DATA,
            data=DATA,
            ack=False,
            reception=Reception("001F", -120.0, snr, time),
            link_quality=None,
            forwarded=True,
        )
        return [
            callback_attempts.record(
                conn,
                dataclasses.replace(
                    made,
                    device_type_id=device_type_id,
                    device_id=device_id,
                    message_id=message_id,
                    event_time=time,
                    time=time + 2000,
                ),
            )
            for made in attempts
        ]

    return server.write(make)


def infos(client: httpx.Client, auth: tuple[str, str], **params: Any) -> list[str]:
    """The ``message`` of each item of the first page, which the tests use as a mark."""
    response = client.get(PATH, params=params, auth=auth)
    assert response.status_code == 200, response.json()
    return [item["message"] for item in response.json()["data"]]


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


@pytest.fixture
def sensors(server: LiveServer, acme: Tenant) -> str:
    return owned_devices(server, acme, "00A0", "00A1")


def test_failed_deliveries_have_the_seed_fields(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    failed_message(
        server,
        sensors,
        "00A0",
        T - 1000,
        attempt(
            "Page Not Found",
            status=404,
            request={"url": "http://host/batch?data=00A0", "method": "GET", "headers": {}},
            parameters={"time": T // 1000 - 1, "data": DATA, "device": "00A0"},
        ),
    )
    parameters = {"time": T // 1000, "station": "001F", "data": DATA, "device": "00A1", "snr": 10.5}
    failed_message(
        server,
        sensors,
        "00A1",
        T,
        attempt("Read timed out", failed=False),
        attempt(
            "Connection refused",
            request={
                "url": "http://host/single?device=00A1",
                "method": "POST",
                "headers": {"Authorization": "Basic U0lHRk9Y"},
                "body": f"device=00A1&data={DATA}",
                "contentType": "application/x-www-form-urlencoded",
            },
            parameters=parameters | {"duplicate": False},
        ),
        attempt(
            "Could not send email to abcd@test.com",
            channel="EMAIL",
            request={
                "subject": f"00A1 - {T // 1000}",
                "recipient": "abcd@test.com",
                "message": f"{DATA} - 001F - 10.50",
            },
            parameters=parameters,
        ),
    )
    response = client.get(PATH, auth=acme.auth)
    assert response.status_code == 200
    common = {"deviceType": sensors, "deviceId": sensors, "data": DATA, "snr": 10.5}
    assert response.json() == {
        "data": [
            {
                "device": "00A1",
                "time": T // 1000,
                "status": 600,
                "message": "Could not send email to abcd@test.com",
                "callback": {"subject": f"00A1 - {T // 1000}", "message": f"{DATA} - 001F - 10.50"},
                "parameters": parameters,
                **common,
            },
            {
                "device": "00A1",
                "time": T // 1000,
                "status": 600,
                "message": "Connection refused",
                "callback": {
                    "url": "http://host/single?device=00A1",
                    "headers": {"Authorization": "Basic U0lHRk9Y"},
                    "method": "POST",
                    "body": f"device=00A1&data={DATA}",
                    "contentType": "application/x-www-form-urlencoded",
                },
                "parameters": parameters | {"duplicate": False},
                **common,
            },
            {
                "device": "00A0",
                "time": T // 1000 - 1,
                "status": 404,
                "message": "Page Not Found",
                "callback": {"url": "http://host/batch?data=00A0", "method": "GET"},
                "parameters": {"time": T // 1000 - 1, "data": DATA, "device": "00A0"},
                **common,
            },
        ]
    }


def test_empty_values_are_left_out_and_a_get_has_no_body(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    failed_message(
        server,
        sensors,
        "00A0",
        T,
        dataclasses.replace(
            attempt("unused"),
            info=None,
            request={"url": "http://host/", "method": "GET", "body": "x", "contentType": "y"},
        ),
        snr=None,
    )
    body = client.get(PATH, auth=acme.auth).json()
    assert body == {
        "data": [
            {
                "device": "00A0",
                "deviceType": sensors,
                "deviceId": sensors,
                "time": T // 1000,
                "data": DATA,
                "status": 600,
                "callback": {"url": "http://host/", "method": "GET"},
            }
        ]
    }


def test_only_given_up_deliveries_of_messages_are_listed(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    failed_message(server, sensors, "00A0", T, attempt("retried", failed=False))
    failed_message(server, sensors, "00A0", T, attempt("sent", status=200, failed=False))

    def silence(conn: Connection) -> None:
        event_id = status_events.create(conn, sensors, Severity.ERROR, T, "down", ["00A0"])
        callback_attempts.record(
            conn,
            dataclasses.replace(
                attempt("event"), device_type_id=sensors, event_time=T, status_event_id=event_id
            ),
        )

    server.write(silence)
    assert infos(client, acme.auth) == []


def test_since_defaults_to_thirty_days_ago(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    now = now_ms()
    failed_message(server, sensors, "00A0", now - 29 * DAY_MS, attempt("29 days"))
    failed_message(server, sensors, "00A0", now - 31 * DAY_MS, attempt("31 days"))
    assert infos(client, acme.auth) == ["29 days"]
    assert infos(client, acme.auth, since=now - 32 * DAY_MS) == ["29 days", "31 days"]
    assert infos(client, acme.auth, since=0) == ["29 days", "31 days"]


def test_since_and_before_are_milliseconds_and_time_is_seconds(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    failed_message(server, sensors, "00A0", T, attempt("it"))
    assert client.get(PATH, auth=acme.auth).json()["data"][0]["time"] == T // 1000
    assert infos(client, acme.auth, since=T) == ["it"]
    assert infos(client, acme.auth, since=T + 1) == []
    assert infos(client, acme.auth, before=T) == []
    assert infos(client, acme.auth, before=T + 1) == ["it"]
    # ``before`` in seconds would be long ago in milliseconds.
    assert infos(client, acme.auth, since=0, before=T // 1000 + 1) == []


@dataclasses.dataclass(frozen=True)
class Estate:
    """Acme's two device types, a child group's device type, and another tenant's."""

    acme: Tenant
    child: Tenant
    globex: Tenant
    first: str
    second: str
    child_type: str
    globex_type: str


@pytest.fixture
def estate(server: LiveServer, acme: Tenant, sensors: str) -> Estate:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    globex = tenant(server, "Globex")
    made = Estate(
        acme,
        child,
        globex,
        sensors,
        owned_devices(server, acme, "00B0"),
        owned_devices(server, child, "00C0"),
        owned_devices(server, globex, "00D0"),
    )
    failed_message(server, made.first, "00A0", T + 4, attempt("A0"))
    failed_message(server, made.first, "00A1", T + 3, attempt("A1"))
    failed_message(server, made.second, "00B0", T + 2, attempt("B0"))
    failed_message(server, made.child_type, "00C0", T + 1, attempt("C0"))
    failed_message(server, made.globex_type, "00D0", T, attempt("D0"))
    return made


def test_a_group_sees_its_own_and_its_child_groups_failures_only(
    client: httpx.Client, estate: Estate
) -> None:
    assert infos(client, estate.acme.auth) == ["A0", "A1", "B0", "C0"]
    assert infos(client, estate.acme.auth, groupId=estate.acme.group_id) == [
        "A0",
        "A1",
        "B0",
        "C0",
    ]
    assert infos(client, estate.acme.auth, groupId=estate.child.group_id) == ["C0"]
    assert infos(client, estate.acme.auth, hexId="00C0") == ["C0"]
    assert infos(client, estate.child.auth) == ["C0"]
    assert infos(client, estate.globex.auth) == ["D0"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hexId": "00a1"}, ["A1"]),
        ({"deviceId": "first"}, ["A0", "A1"]),
        ({"deviceId": "second"}, ["B0"]),
        ({"hexId": "00A0", "deviceId": "second"}, ["A0"]),
        ({"hexId": "00B0", "groupId": "child"}, ["B0"]),
        ({"deviceId": "second", "groupId": "child"}, ["B0"]),
        ({"deviceId": "child_type", "groupId": "acme"}, ["C0"]),
    ],
)
def test_filters_take_the_most_precise_object_named(
    client: httpx.Client, estate: Estate, params: dict[str, str], expected: list[str]
) -> None:
    ids = {
        "first": estate.first,
        "second": estate.second,
        "child_type": estate.child_type,
        "acme": estate.acme.group_id,
        "child": estate.child.group_id,
    }
    resolved = {name: ids.get(value, value) for name, value in params.items()}
    assert infos(client, estate.acme.auth, **resolved) == expected


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hexId": "00D0"}, "Device 00D0 not found."),
        ({"hexId": "FFFF"}, "Device FFFF not found."),
        ({"deviceId": "globex_type"}, "Device type {globex_type} not found."),
        ({"deviceId": "0" * 24}, f"Device type {'0' * 24} not found."),
        ({"groupId": "globex"}, "Group {globex} not found."),
        # Every object named must be visible, even one a more precise object overrides.
        ({"hexId": "00A0", "groupId": "globex"}, "Group {globex} not found."),
        ({"hexId": "00A0", "deviceId": "globex_type"}, "Device type {globex_type} not found."),
    ],
)
def test_another_tenants_objects_are_answered_as_unknown(
    client: httpx.Client, estate: Estate, params: dict[str, str], message: str
) -> None:
    ids = {"globex_type": estate.globex_type, "globex": estate.globex.group_id}
    resolved = {name: ids.get(value, value) for name, value in params.items()}
    response = client.get(PATH, params=resolved, auth=estate.acme.auth)
    assert response.status_code == 404
    assert response.json() == {"message": message.format(**ids)}


def test_a_child_group_does_not_reach_its_parent(
    server: LiveServer, client: httpx.Client, estate: Estate
) -> None:
    for params in ({"groupId": estate.acme.group_id}, {"hexId": "00A0"}):
        response = client.get(PATH, params=params, auth=estate.child.auth)
        assert response.status_code == 404
    assert server.read(groups.is_within, estate.child.group_id, estate.acme.group_id)


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=ten",
        "offset=-1",
        "offset=5001",
        "since=x",
        "before=-1",
        "hexId=XYZ",
        "hexId=123456789",
        "deviceId=abc",
        "groupId=" + "G" * 24,
    ],
)
def test_invalid_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, query: str
) -> None:
    response = client.get(f"{PATH}?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert query.split("=")[0] in response.json()["message"]


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
@pytest.mark.parametrize("target", ["hexId", "deviceId", "groupId", "none"])
def test_next_links_followed_to_the_end_yield_every_failure_once_in_order(
    server: LiveServer,
    client: httpx.Client,
    acme: Tenant,
    sensors: str,
    limit: int,
    target: str,
) -> None:
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    meters = owned_devices(server, child, "00C0")
    # Failures at four instants, ties within a message and across messages, types and groups.
    made = [
        (sensors, "00A0", T + 3, ("a", "b")),
        (sensors, "00A1", T + 3, ("c",)),
        (meters, "00C0", T + 3, ("d",)),
        (sensors, "00A0", T + 2, ("e",)),
        (sensors, "00A0", T + 1, ("f",)),
        (meters, "00C0", T + 1, ("g", "h")),
        (sensors, "00A1", T + 1, ("i",)),
        (sensors, "00A0", T, ("j",)),
    ]
    stored: list[tuple[int, int, str, str]] = []
    for device_type_id, device_id, time, marks in made:
        ids = failed_message(
            server, device_type_id, device_id, time, *(attempt(mark) for mark in marks)
        )
        stored += [(time, n, mark, device_id) for n, mark in zip(ids, marks, strict=True)]
    params: dict[str, Any] = {"limit": limit, "since": T - 1000}
    wanted = {"00A0", "00A1", "00C0"}
    if target == "hexId":
        params["hexId"], wanted = "00A0", {"00A0"}
    elif target == "deviceId":
        params["deviceId"], wanted = sensors, {"00A0", "00A1"}
    elif target == "groupId":
        params["groupId"], wanted = child.group_id, {"00C0"}
    expected = [mark for _, _, mark, device in sorted(stored, reverse=True) if device in wanted]
    url: str | None = str(httpx.URL(f"{server.url}{PATH}", params=params))
    seen: list[str] = []
    while url is not None:
        body = client.get(url, auth=acme.auth).json()
        assert len(body["data"]) <= limit
        seen += [item["message"] for item in body["data"]]
        url = body.get("paging", {}).get("next")
        if url is not None:
            assert url.startswith(f"{server.url}{PATH}?")
            kept = httpx.URL(url).params
            assert {name: kept[name] for name in params} == {
                name: str(value) for name, value in params.items()
            }
    assert seen == expected


def test_the_next_link_keeps_the_default_since(
    server: LiveServer, client: httpx.Client, acme: Tenant, sensors: str
) -> None:
    failed_message(server, sensors, "00A0", T, attempt("new"))
    failed_message(server, sensors, "00A0", T - 1000, attempt("old"))
    before = now_ms()
    body = client.get(PATH, params={"limit": 1}, auth=acme.auth).json()
    after = now_ms()
    assert [item["message"] for item in body["data"]] == ["new"]
    since = int(httpx.URL(body["paging"]["next"]).params["since"])
    assert before - 30 * DAY_MS <= since <= after - 30 * DAY_MS
    following = client.get(body["paging"]["next"], auth=acme.auth).json()
    assert [item["message"] for item in following["data"]] == ["old"]
