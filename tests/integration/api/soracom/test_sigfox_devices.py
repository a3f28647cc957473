"""Soracom ``/v1/sigfox_devices``: list, get, register, tags, groups, termination, send-data."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from sqlalchemy import select

from foxden.storage import devices
from foxden.storage.tables import downlinks, outbox
from tests.integration.api.soracom.conftest import PAC, Account, open_account, stock
from tests.support.factories import Fleet
from tests.support.server import LiveServer
from tests.support.uplinks import BASE_TIME, uplink

NEXT_KEY = "x-soracom-next-key"
LINK = re.compile(r"<(?P<url>[^>]+)>; rel=next")
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)")
DOWNLINK = "0123456789abcdef"
NEWER_DOWNLINK = "fedcba9876543210"
LONG_AGO = 1_000_000_000_000

Operation = Callable[[httpx.Client, str, str], httpx.Response]


def utc(ms: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC)


def parsed_time(value: str) -> datetime.datetime:
    assert ISO_UTC.fullmatch(value), value
    return datetime.datetime.fromisoformat(value)


def comparable(device: dict[str, Any]) -> dict[str, Any]:
    """A SigfoxDevice with its date-times checked as ISO 8601 UTC and parsed."""
    shown = {**device, "lastModifiedTime": parsed_time(device["lastModifiedTime"])}
    if "lastSeen" in device:
        shown["lastSeen"] = {**device["lastSeen"], "time": parsed_time(device["lastSeen"]["time"])}
    return shown


def modified(server: LiveServer, device_id: str) -> datetime.datetime:
    found = server.read(devices.get, device_id)
    assert found is not None
    return utc(found.modified_at)


def backdate(server: LiveServer, device_id: str) -> None:
    server.write(lambda conn: devices.update_state(conn, device_id, modified_at=LONG_AGO))


def queued(server: LiveServer, device_id: str) -> list[tuple[str, str]]:
    """The device's downlinks as (data, state), oldest first."""
    query = (
        select(downlinks.c.data, downlinks.c.state)
        .where(downlinks.c.device_id == device_id)
        .order_by(downlinks.c.id)
    )
    return server.read(lambda conn: [(row.data, row.state) for row in conn.execute(query)])


def fleet_of(account: Account, *device_ids: str) -> Fleet:
    """The account's fleet sending as these devices (devices added in stock included)."""
    return replace(account.fleet, device_ids=device_ids)


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert body["message"]


def not_found(response: httpx.Response) -> None:
    error(response, 404, "COM0002")


def bad_request(response: httpx.Response) -> None:
    error(response, 400, "COM0001")


def view(soracom: httpx.Client, device_id: str) -> dict[str, Any]:
    body: dict[str, Any] = ok(soracom.get(f"/sigfox_devices/{device_id}"))
    return body


def put_tags(soracom: httpx.Client, device_id: str, **tags: str) -> dict[str, Any]:
    body = [{"tagName": name, "tagValue": value} for name, value in tags.items()]
    shown: dict[str, Any] = ok(soracom.put(f"/sigfox_devices/{device_id}/tags", json=body))
    return shown


def new_group(client: httpx.Client, **configuration: dict[str, Any]) -> str:
    created = client.post("/groups", json={"configuration": configuration})
    assert created.status_code == 201, created.text
    group_id: str = created.json()["groupId"]
    return group_id


def operator_client(server: LiveServer, other: Account) -> httpx.Client:
    return httpx.Client(base_url=f"{server.url}/v1", headers=other.headers)


def post(soracom: httpx.Client, device_id: str, action: str, **params: str) -> httpx.Response:
    return soracom.post(f"/sigfox_devices/{device_id}/{action}", params=params)


def post_json(
    soracom: httpx.Client, device_id: str, action: str, body: dict[str, Any]
) -> httpx.Response:
    return soracom.post(f"/sigfox_devices/{device_id}/{action}", json=body)


def terminate(soracom: httpx.Client, device_id: str, **params: str) -> dict[str, Any]:
    ok(post(soracom, device_id, "enable_termination"))
    shown: dict[str, Any] = ok(post(soracom, device_id, "terminate", **params))
    return shown


def send(soracom: httpx.Client, device_id: str, data: str) -> httpx.Response:
    return soracom.post(f"/sigfox_devices/{device_id}/data", json={"data": data})


def walk(soracom: httpx.Client, params: dict[str, Any], *, via_link: bool) -> list[list[str]]:
    """The device ids of each page, following ``x-soracom-next-key`` or the ``link`` URL."""
    pages: list[list[str]] = []
    response = soracom.get("/sigfox_devices", params=params)
    while True:
        pages.append([device["device_id"] for device in ok(response)])
        key = response.headers.get(NEXT_KEY)
        link = response.headers.get("link")
        if key is None:
            assert link is None
            return pages
        assert key == pages[-1][-1]
        assert len(pages) < 10, pages
        if via_link:
            match = LINK.fullmatch(link or "")
            assert match is not None, link
            url = match["url"]
            query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
            assert query == {**{k: str(v) for k, v in params.items()}, "last_evaluated_key": key}
            response = soracom.get(url)
        else:
            response = soracom.get("/sigfox_devices", params={**params, "last_evaluated_key": key})


def listed(soracom: httpx.Client, **params: str) -> list[str]:
    return [device["device_id"] for device in ok(soracom.get("/sigfox_devices", params=params))]


# List


def test_list_shows_every_field_of_each_device(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    uplink(client, account.fleet, seq=1, device=0, rssi=-117.6, snr=12.4, at=5_000)
    group_id = new_group(soracom)
    ok(soracom.post("/sigfox_devices/F001/set_group", json={"groupId": group_id}))
    put_tags(soracom, "F001", site="Tokyo", floor="3")
    ok(post(soracom, "F002", "enable_termination"))

    body = ok(soracom.get("/sigfox_devices"))

    common = {"operatorId": account.operator_id, "tags": {}, "terminationEnabled": False}
    assert [comparable(device) for device in body] == [
        {
            **common,
            "device_id": "F000",
            "status": "active",
            "lastSeen": {"time": utc(BASE_TIME + 5_000), "rssi": -118, "snr": 12},
            "lastModifiedTime": modified(server, "F000"),
        },
        {
            **common,
            "device_id": "F001",
            "status": "ready",
            "tags": {"site": "Tokyo", "floor": "3"},
            "groupId": group_id,
            "lastModifiedTime": modified(server, "F001"),
        },
        {
            **common,
            "device_id": "F002",
            "status": "ready",
            "terminationEnabled": True,
            "lastModifiedTime": modified(server, "F002"),
        },
    ]


@pytest.mark.parametrize("via_link", [False, True], ids=["next_key", "link"])
@pytest.mark.parametrize(
    ("limit", "sizes"), [(1, [1, 1, 1, 1, 1]), (2, [2, 2, 1]), (5, [5]), (6, [5])]
)
def test_paging_yields_each_device_once_and_ends_without_headers(
    server: LiveServer,
    soracom: httpx.Client,
    account: Account,
    via_link: bool,
    limit: int,
    sizes: list[int],
) -> None:
    stock(server, account, "F100")
    stock(server, account, "E000")
    pages = walk(soracom, {"limit": limit}, via_link=via_link)
    assert [len(page) for page in pages] == sizes
    assert [device_id for page in pages for device_id in page] == [
        "E000",
        "F000",
        "F001",
        "F002",
        "F100",
    ]


@pytest.fixture
def sites(server: LiveServer, soracom: httpx.Client, account: Account) -> None:
    """Tag ``site`` on five devices: F000 Tokyo-1, F001 tokyo-2, F002 Tokyo, F100 Tokyo-3,
    F101 Osaka; F102 untagged."""
    for device_id in ("F100", "F101", "F102"):
        stock(server, account, device_id)
    values = {"F000": "Tokyo-1", "F001": "tokyo-2", "F002": "Tokyo", "F100": "Tokyo-3"}
    for device_id, site in {**values, "F101": "Osaka"}.items():
        put_tags(soracom, device_id, site=site)


@pytest.mark.usefixtures("sites")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag_name": "site", "tag_value": "Tokyo"}, ["F002"]),
        (
            {"tag_name": "site", "tag_value": "Tokyo", "tag_value_match_mode": "exact"},
            ["F002"],
        ),
        (
            {"tag_name": "site", "tag_value": "Tokyo", "tag_value_match_mode": "prefix"},
            ["F000", "F002", "F100"],
        ),
        (
            {"tag_name": "site", "tag_value": "tokyo", "tag_value_match_mode": "prefix"},
            ["F001"],
        ),
        ({"tag_name": "site", "tag_value": "tokyo"}, []),
        ({"tag_name": "Site", "tag_value": "Osaka"}, []),
        ({"tag_name": "site", "tag_value": "Osaka"}, ["F101"]),
    ],
)
def test_tag_filters_match_exactly_or_by_case_sensitive_prefix(
    soracom: httpx.Client, params: dict[str, str], expected: list[str]
) -> None:
    assert listed(soracom, **params) == expected


@pytest.mark.usefixtures("sites")
def test_tag_name_without_tag_value_is_refused(soracom: httpx.Client) -> None:
    bad_request(soracom.get("/sigfox_devices", params={"tag_name": "site"}))


@pytest.mark.usefixtures("sites")
@pytest.mark.parametrize("via_link", [False, True], ids=["next_key", "link"])
def test_tag_filter_is_kept_across_pages(soracom: httpx.Client, via_link: bool) -> None:
    params = {"tag_name": "site", "tag_value": "Tokyo", "tag_value_match_mode": "prefix"}
    pages = walk(soracom, {**params, "limit": 1}, via_link=via_link)
    assert pages == [["F000"], ["F002"], ["F100"]]


# Get


def test_get_shows_the_same_device_as_the_list(soracom: httpx.Client) -> None:
    put_tags(soracom, "F001", site="Tokyo")
    assert view(soracom, "F001") == ok(soracom.get("/sigfox_devices"))[1]


@pytest.mark.parametrize("device_id", ["ABCDEF", "F0000000", "not-a-device"])
def test_get_unknown_device_is_not_found(soracom: httpx.Client, device_id: str) -> None:
    not_found(soracom.get(f"/sigfox_devices/{device_id}"))


def test_get_another_operators_device_is_not_found(server: LiveServer) -> None:
    other = open_account(server, devices=0)
    with operator_client(server, other) as foreign:
        not_found(foreign.get("/sigfox_devices/F000"))
        assert ok(foreign.get("/sigfox_devices")) == []


# Register and lifecycle


def test_register_with_the_pac_makes_a_stocked_device_ready_with_its_tags(
    server: LiveServer, soracom: httpx.Client, account: Account
) -> None:
    stock(server, account, "F100")
    assert view(soracom, "F100")["status"] == "instock"
    registered = ok(
        post_json(soracom, "F100", "register", {"registrationSecret": PAC, "tags": {"a": "1"}})
    )
    assert registered["device_id"] == "F100"
    assert registered["status"] == "ready"
    assert registered["tags"] == {"a": "1"}
    assert view(soracom, "F100") == registered


@pytest.mark.parametrize(
    "body",
    [{"registrationSecret": "1" * 16}, {}, {"registrationSecret": ""}, {"tags": {"a": "1"}}],
    ids=["wrong_pac", "empty_body", "empty_secret", "no_secret"],
)
def test_register_without_the_right_pac_is_refused(
    server: LiveServer, soracom: httpx.Client, account: Account, body: dict[str, Any]
) -> None:
    stock(server, account, "F100")
    bad_request(post_json(soracom, "F100", "register", body))
    assert view(soracom, "F100")["status"] == "instock"
    assert view(soracom, "F100")["tags"] == {}


def test_register_a_ready_device_is_refused(soracom: httpx.Client) -> None:
    bad_request(post_json(soracom, "F000", "register", {"registrationSecret": PAC}))
    assert view(soracom, "F000")["status"] == "ready"


def test_lifecycle_goes_instock_ready_active_terminated(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    stock(server, account, "F100")
    seen = [view(soracom, "F100")["status"]]
    seen.append(ok(post_json(soracom, "F100", "register", {"registrationSecret": PAC}))["status"])
    answer = uplink(client, fleet_of(account, "F100"), seq=1)
    assert answer["device"] == "F100"
    seen.append(view(soracom, "F100")["status"])
    seen.append(terminate(soracom, "F100")["status"])
    seen.append(view(soracom, "F100")["status"])
    assert seen == ["instock", "ready", "active", "terminated", "terminated"]
    bad_request(post_json(soracom, "F100", "register", {"registrationSecret": PAC}))


# Tags


def test_put_tags_replaces_the_named_values_and_keeps_the_others(soracom: httpx.Client) -> None:
    put_tags(soracom, "F000", a="1", b="2")
    shown = put_tags(soracom, "F000", a="9", c="3")
    assert shown["tags"] == {"a": "9", "b": "2", "c": "3"}
    assert view(soracom, "F000")["tags"] == {"a": "9", "b": "2", "c": "3"}
    assert view(soracom, "F001")["tags"] == {}


def test_delete_tag_with_a_percent_encoded_name(soracom: httpx.Client) -> None:
    name = "dir/sub name é"
    put_tags(soracom, "F000", **{name: "x", "other": "y"})
    deleted = soracom.delete(f"/sigfox_devices/F000/tags/{quote(name, safe='')}")
    assert deleted.status_code == 204, deleted.text
    assert deleted.content == b""
    assert view(soracom, "F000")["tags"] == {"other": "y"}


def test_delete_missing_tag_is_not_found(soracom: httpx.Client) -> None:
    put_tags(soracom, "F000", other="y")
    not_found(soracom.delete("/sigfox_devices/F000/tags/absent"))
    assert view(soracom, "F000")["tags"] == {"other": "y"}


@pytest.mark.parametrize(
    "change",
    [
        lambda soracom: put_tags(soracom, "F000", a="2"),
        lambda soracom: soracom.delete("/sigfox_devices/F000/tags/a"),
    ],
    ids=["put", "delete"],
)
def test_tag_change_moves_last_modified_time_forward(
    server: LiveServer, soracom: httpx.Client, change: Callable[[httpx.Client], Any]
) -> None:
    put_tags(soracom, "F000", a="1")
    backdate(server, "F000")
    assert parsed_time(view(soracom, "F000")["lastModifiedTime"]) == utc(LONG_AGO)
    change(soracom)
    after = parsed_time(view(soracom, "F000")["lastModifiedTime"])
    assert after > utc(LONG_AGO)
    assert after == modified(server, "F000")


# Groups


def test_set_group_shows_the_group_and_unset_group_removes_it(soracom: httpx.Client) -> None:
    group_id = new_group(soracom)
    joined = ok(post_json(soracom, "F000", "set_group", {"groupId": group_id}))
    assert joined["groupId"] == group_id
    assert view(soracom, "F000")["groupId"] == group_id
    left = ok(post(soracom, "F000", "unset_group"))
    assert "groupId" not in left
    assert "groupId" not in view(soracom, "F000")


def test_set_group_to_an_unknown_group_is_not_found(soracom: httpx.Client) -> None:
    not_found(post_json(soracom, "F000", "set_group", {"groupId": "f" * 24}))
    assert "groupId" not in view(soracom, "F000")


def test_set_group_without_group_id_is_refused(soracom: httpx.Client) -> None:
    bad_request(post_json(soracom, "F000", "set_group", {}))
    assert "groupId" not in view(soracom, "F000")


def test_set_group_to_another_operators_group_is_not_found(
    server: LiveServer, soracom: httpx.Client
) -> None:
    other = open_account(server, devices=0)
    with operator_client(server, other) as foreign:
        group_id = new_group(foreign)
    not_found(post_json(soracom, "F000", "set_group", {"groupId": group_id}))
    assert "groupId" not in view(soracom, "F000")


# Termination


def test_enable_and_disable_termination_flip_the_flag(soracom: httpx.Client) -> None:
    assert view(soracom, "F000")["terminationEnabled"] is False
    assert ok(post(soracom, "F000", "enable_termination"))["terminationEnabled"] is True
    assert view(soracom, "F000")["terminationEnabled"] is True
    assert ok(post(soracom, "F000", "disable_termination"))["terminationEnabled"] is False
    assert view(soracom, "F000")["terminationEnabled"] is False


def test_terminate_a_protected_device_is_refused(soracom: httpx.Client) -> None:
    bad_request(post(soracom, "F000", "terminate"))
    ok(post(soracom, "F000", "enable_termination"))
    ok(post(soracom, "F000", "disable_termination"))
    bad_request(post(soracom, "F000", "terminate"))
    assert view(soracom, "F000")["status"] == "ready"


def test_terminated_device_is_still_listed(soracom: httpx.Client) -> None:
    terminated = terminate(soracom, "F001")
    assert terminated["status"] == "terminated"
    assert terminated["terminationEnabled"] is True
    assert [(d["device_id"], d["status"]) for d in ok(soracom.get("/sigfox_devices"))] == [
        ("F000", "ready"),
        ("F001", "terminated"),
        ("F002", "ready"),
    ]


def test_terminated_device_frames_are_stored_but_not_forwarded(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvest = new_group(soracom, SoracomHarvest={"enabled": True})
    ok(post_json(soracom, "F000", "set_group", {"groupId": harvest}))
    before = uplink(client, account.fleet, seq=1, data="aa01", at=1_000)
    assert before["forwarded"] is True
    terminate(soracom, "F000")

    after = uplink(client, account.fleet, seq=2, data="bb02", at=2_000)

    assert after["forwarded"] is False
    messages = ok(client.get("/api/devices/F000/messages", auth=account.fleet.tenant.auth))
    assert [(m["seqNumber"], m["data"], m["time"]) for m in messages["data"]] == [
        (2, "bb02", (BASE_TIME + 2_000) // 1000),
        (1, "aa01", (BASE_TIME + 1_000) // 1000),
    ]
    calls = server.read(
        lambda conn: conn.execute(
            select(outbox.c.id).where(outbox.c.message_id == after["messageId"])
        ).all()
    )
    assert calls == []
    harvested = ok(soracom.get("/sigfox_devices/F000/data"))
    assert [entry["time"] for entry in harvested] == [BASE_TIME + 1_000]
    assert view(soracom, "F000")["status"] == "terminated"


def test_terminate_and_delete_immediately_removes_the_device_everywhere(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    uplink(client, account.fleet, seq=1)
    put_tags(soracom, "F000", a="1")
    terminated = terminate(soracom, "F000", delete_immediately="true")
    assert terminated["device_id"] == "F000"
    assert terminated["status"] == "terminated"
    assert terminated["tags"] == {"a": "1"}
    not_found(soracom.get("/sigfox_devices/F000"))
    sigfox = client.get("/api/devices/F000", auth=account.fleet.tenant.auth)
    assert sigfox.status_code == 404, sigfox.text
    assert listed(soracom) == ["F001", "F002"]


# Send data


def test_send_data_is_accepted_and_delivered_with_the_next_ack(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    accepted = send(soracom, "F000", DOWNLINK)
    assert accepted.status_code == 202, accepted.text
    assert accepted.content == b""
    answer = uplink(client, account.fleet, seq=1, ack=True)
    assert answer["downlink"] == {"status": "sent", "data": DOWNLINK}


@pytest.mark.parametrize(
    "data",
    [DOWNLINK[:-1], DOWNLINK + "0", DOWNLINK[:-1] + "g", "", "0x23456789abcdef"],
    ids=["15", "17", "non_hex", "empty", "prefixed"],
)
def test_send_data_that_is_not_8_bytes_of_hex_is_refused(
    server: LiveServer, soracom: httpx.Client, data: str
) -> None:
    bad_request(send(soracom, "F000", data))
    assert queued(server, "F000") == []


def test_send_data_to_an_unknown_device_is_not_found(soracom: httpx.Client) -> None:
    not_found(send(soracom, "ABCDEF", DOWNLINK))


def test_newer_send_replaces_the_waiting_one(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    assert send(soracom, "F000", DOWNLINK).status_code == 202
    assert send(soracom, "F000", NEWER_DOWNLINK).status_code == 202
    first = uplink(client, account.fleet, seq=1, ack=True)
    second = uplink(client, account.fleet, seq=2, ack=True, at=1_000)
    assert first["downlink"] == {"status": "sent", "data": NEWER_DOWNLINK}
    assert second["downlink"] == {"status": "not_configured"}
    assert queued(server, "F000") == [(DOWNLINK, "replaced"), (NEWER_DOWNLINK, "sent")]


def test_uplink_without_ack_leaves_the_downlink_waiting(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    assert send(soracom, "F000", DOWNLINK).status_code == 202
    plain = uplink(client, account.fleet, seq=1)
    assert "downlink" not in plain
    asked = uplink(client, account.fleet, seq=2, ack=True, at=1_000)
    assert asked["downlink"] == {"status": "sent", "data": DOWNLINK}


def test_downlink_goes_to_the_device_it_was_sent_to(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    assert send(soracom, "F001", DOWNLINK).status_code == 202
    elsewhere = uplink(client, account.fleet, seq=1, device=0, ack=True)
    assert elsewhere["downlink"] == {"status": "not_configured"}
    target = uplink(client, account.fleet, seq=1, device=1, ack=True)
    assert target["downlink"] == {"status": "sent", "data": DOWNLINK}


# The two views of one device


def test_sigfox_and_soracom_views_agree(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    auth = account.fleet.tenant.auth
    assert ok(client.get("/api/devices/F000", auth=auth))["last"] == 0
    assert "lastSeen" not in view(soracom, "F000")

    uplink(client, account.fleet, seq=1, rssi=-99.2, snr=21.7, at=61_500)

    sigfox = ok(client.get("/api/devices/F000", auth=auth))
    soracom_view = view(soracom, "F000")
    assert sigfox["id"] == soracom_view["device_id"] == "F000"
    assert sigfox["type"] == account.fleet.device_type_id
    assert sigfox["pac"] == PAC
    assert sigfox["last"] == (BASE_TIME + 61_500) // 1000
    seen = parsed_time(soracom_view["lastSeen"]["time"])
    assert seen == utc(BASE_TIME + 61_500)
    assert int(seen.timestamp()) == sigfox["last"]
    assert soracom_view["lastSeen"]["rssi"] == -99
    assert soracom_view["lastSeen"]["snr"] == 22
    of_type = ok(client.get(f"/api/devicetypes/{account.fleet.device_type_id}/devices", auth=auth))
    assert [device["id"] for device in of_type["data"]] == listed(soracom)


# Tenant walls


OPERATIONS: dict[str, Operation] = {
    "get": lambda c, d, g: c.get(f"/sigfox_devices/{d}"),
    "get_data": lambda c, d, g: c.get(f"/sigfox_devices/{d}/data"),
    "send_data": lambda c, d, g: send(c, d, DOWNLINK),
    "send_bad_data": lambda c, d, g: send(c, d, "zz"),
    "register": lambda c, d, g: post_json(c, d, "register", {"registrationSecret": PAC}),
    "put_tags": lambda c, d, g: c.put(
        f"/sigfox_devices/{d}/tags", json=[{"tagName": "keep", "tagValue": "stolen"}]
    ),
    "delete_tag": lambda c, d, g: c.delete(f"/sigfox_devices/{d}/tags/keep"),
    "set_group": lambda c, d, g: post_json(c, d, "set_group", {"groupId": g}),
    "unset_group": lambda c, d, g: post(c, d, "unset_group"),
    "enable_termination": lambda c, d, g: post(c, d, "enable_termination"),
    "disable_termination": lambda c, d, g: post(c, d, "disable_termination"),
    "terminate": lambda c, d, g: post(c, d, "terminate"),
    "terminate_delete": lambda c, d, g: post(c, d, "terminate", delete_immediately="true"),
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_every_operation_on_another_operators_device_is_not_found(
    server: LiveServer, soracom: httpx.Client, account: Account, operation: Operation
) -> None:
    stock(server, account, "F100")
    put_tags(soracom, "F100", keep="me")
    ok(post_json(soracom, "F100", "set_group", {"groupId": new_group(soracom)}))
    ok(post(soracom, "F100", "enable_termination"))
    before = view(soracom, "F100")
    other = open_account(server, devices=0)
    with operator_client(server, other) as foreign:
        not_found(operation(foreign, "F100", new_group(foreign)))
    assert view(soracom, "F100") == before
    assert queued(server, "F100") == []
