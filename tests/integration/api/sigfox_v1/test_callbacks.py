from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from foxden.domain.ids import is_object_id
from foxden.storage import callbacks, device_types
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer
from tests.unit.test_callback_definitions import BATCH_URL, EMAIL, INVALID, URL, with_

SEED_URL = {
    "channel": "URL",
    "callbackType": 0,
    "callbackSubtype": 2,
    "url": "http://myserver.com/sigfox/callback",
    "httpMethod": "POST",
    "enabled": True,
    "sendDuplicate": False,
    "sendSni": True,
    "payloadConfig": "var1::bool:1",
    "bodyTemplate": "device : {device} / {customData#var1}",
    "headers": {"time": "{time}", "X-Device": "{device}"},
    "contentType": "text/plain",
}
SEED_BATCH_URL = {
    "channel": "BATCH_URL",
    "callbackType": 0,
    "callbackSubtype": 2,
    "url": "http://myserver.com/sigfox/callback/batch",
    "linePattern": "{device};{data};",
    "enabled": True,
    "sendDuplicate": False,
    "sendSni": False,
}
BIDIR = with_(URL, callbackSubtype=3, url="https://example.com/downlink?ack={ack}")


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


def new_device_type(server: LiveServer, owner: Tenant, name: str = "Meter") -> str:
    return server.write(lambda conn: device_types.create(conn, owner.group_id, name).id)


@pytest.fixture
def meter(server: LiveServer, acme: Tenant) -> str:
    return new_device_type(server, acme)


def create(
    client: httpx.Client, owner: Tenant, device_type_id: str, definitions: Any
) -> httpx.Response:
    return client.post(
        f"/api/devicetypes/{device_type_id}/callbacks/new", json=definitions, auth=owner.auth
    )


def create_ok(client: httpx.Client, owner: Tenant, device_type_id: str, *defs: Any) -> list[str]:
    response = create(client, owner, device_type_id, list(defs))
    assert response.status_code == 200, response.text
    ids: list[str] = response.json()
    return ids


def listing(client: httpx.Client, owner: Tenant, device_type_id: str) -> dict[str, Any]:
    response = client.get(f"/api/devicetypes/{device_type_id}/callbacks", auth=owner.auth)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def act(
    client: httpx.Client, owner: Tenant, device_type_id: str, callback_id: str, action: str
) -> httpx.Response:
    path = f"/api/devicetypes/{device_type_id}/callbacks/{callback_id}/{action}"
    return client.post(path, auth=owner.auth)


def flags(body: dict[str, Any], name: str) -> dict[str, bool]:
    return {item["id"]: item[name] for items in body.values() for item in items}


def test_list_after_create_shows_every_field_as_created(
    client: httpx.Client, acme: Tenant, meter: str
) -> None:
    definitions = [
        {**SEED_URL, "dead": True, "downlinkHook": True, "colour": "red"},
        SEED_BATCH_URL,
        with_(BIDIR, httpMethod="GET", enabled=False, sendDuplicate=True),
        with_(
            EMAIL,
            callbackType=1,
            callbackSubtype=0,
            subject="{device} at {temp}",
            message="battery {batt} V",
        ),
        with_(
            URL,
            callbackType=1,
            callbackSubtype=6,
            httpMethod="PUT",
            bodyTemplate='{"device": "{device}", "duplicates": {duplicates}}',
        ),
        with_(EMAIL, callbackType=2, callbackSubtype=None, subject="{severity}", message="{info}"),
        with_(
            URL,
            callbackType=2,
            callbackSubtype=0,
            url="https://example.com/e?i={info}",
            httpMethod="GET",
        ),
    ]
    ids = create_ok(client, acme, meter, *definitions)
    assert len(ids) == len(set(ids)) == len(definitions)
    assert all(is_object_id(i) for i in ids)
    common = {"enabled": True, "sendDuplicate": False, "dead": False, "downlinkHook": False}
    expected = {
        "data": [
            {
                "id": ids[0],
                "channel": "URL",
                "callbackType": 0,
                "callbackSubtype": 2,
                "payloadConfig": "var1::bool:1",
                "urlPattern": "http://myserver.com/sigfox/callback",
                "httpMethod": "POST",
                "headers": {"time": "{time}", "X-Device": "{device}"},
                "sendSni": True,
                "contentType": "text/plain",
                "bodyTemplate": "device : {device} / {customData#var1}",
                **common,
            },
            {
                "id": ids[1],
                "channel": "BATCH_URL",
                "callbackType": 0,
                "callbackSubtype": 2,
                "urlPattern": "http://myserver.com/sigfox/callback/batch",
                "httpMethod": "POST",
                "linePattern": "{device};{data};",
                "sendSni": False,
                **common,
            },
            {
                "id": ids[2],
                "channel": "URL",
                "callbackType": 0,
                "callbackSubtype": 3,
                "urlPattern": "https://example.com/downlink?ack={ack}",
                "httpMethod": "GET",
                "sendSni": False,
                "contentType": "application/x-www-form-urlencoded",
                **common,
                "enabled": False,
                "sendDuplicate": True,
            },
        ],
        "service": [
            {
                "id": ids[3],
                "channel": "EMAIL",
                "callbackType": 1,
                "callbackSubtype": 0,
                "subject": "{device} at {temp}",
                "recipient": "ops@example.com",
                "message": "battery {batt} V",
                **common,
            },
            {
                "id": ids[4],
                "channel": "URL",
                "callbackType": 1,
                "callbackSubtype": 6,
                "urlPattern": "https://example.com/in",
                "httpMethod": "PUT",
                "sendSni": False,
                "contentType": "application/json",
                "bodyTemplate": '{"device": "{device}", "duplicates": {duplicates}}',
                **common,
            },
        ],
        "error": [
            {
                "id": ids[5],
                "channel": "EMAIL",
                "callbackType": 2,
                "callbackSubtype": 0,
                "subject": "{severity}",
                "recipient": "ops@example.com",
                "message": "{info}",
                **common,
            },
            {
                "id": ids[6],
                "channel": "URL",
                "callbackType": 2,
                "callbackSubtype": 0,
                "urlPattern": "https://example.com/e?i={info}",
                "httpMethod": "GET",
                "sendSni": False,
                "contentType": "application/x-www-form-urlencoded",
                **common,
            },
        ],
    }
    assert listing(client, acme, meter) == expected
    by_post = client.post(f"/api/devicetypes/{meter}/callbacks", auth=acme.auth)
    assert by_post.status_code == 200
    assert by_post.headers["content-type"] == "application/json"
    assert by_post.json() == expected


def test_callbacks_list_in_creation_order_across_requests(
    client: httpx.Client, acme: Tenant, meter: str
) -> None:
    ids = create_ok(client, acme, meter, URL, BATCH_URL)
    ids += create_ok(client, acme, meter, EMAIL)
    assert [item["id"] for item in listing(client, acme, meter)["data"]] == ids


def test_an_empty_device_type_lists_three_empty_lists(
    client: httpx.Client, acme: Tenant, meter: str
) -> None:
    assert listing(client, acme, meter) == {"data": [], "service": [], "error": []}
    assert create_ok(client, acme, meter) == []


def test_each_invalid_definition_is_refused_by_index_and_nothing_is_created(
    client: httpx.Client, acme: Tenant, meter: str
) -> None:
    refused = [(d, m) for d, m in INVALID if isinstance(d, dict)]
    assert len(refused) > 60
    for definition, message in refused:
        response = create(client, acme, meter, [EMAIL, definition])
        assert response.status_code == 400, (definition, response.text)
        assert response.json() == {"message": f"callback 1: {message}"}
    assert listing(client, acme, meter) == {"data": [], "service": [], "error": []}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"channel": "URL"}, "The request body must be a JSON array."),
        ([EMAIL, "URL"], "1: must be a JSON object."),
        ([EMAIL, [URL]], "1: must be a JSON object."),
    ],
)
def test_a_body_of_the_wrong_json_type_is_refused(
    client: httpx.Client, acme: Tenant, meter: str, body: Any, message: str
) -> None:
    response = create(client, acme, meter, body)
    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_a_body_that_is_not_json_is_refused(client: httpx.Client, acme: Tenant, meter: str) -> None:
    response = client.post(
        f"/api/devicetypes/{meter}/callbacks/new",
        content=b"[{",
        headers={"content-type": "application/json"},
        auth=acme.auth,
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": "The request body is not valid JSON: "
        "Expecting property name enclosed in double quotes."
    }


def test_delete_removes_only_that_callback(
    client: httpx.Client, server: LiveServer, acme: Tenant, meter: str
) -> None:
    first, second = create_ok(client, acme, meter, URL, EMAIL)
    deleted = act(client, acme, meter, first, "delete")
    assert deleted.status_code == 200
    assert deleted.content == b""
    assert [item["id"] for item in listing(client, acme, meter)["data"]] == [second]
    assert act(client, acme, meter, first, "delete").status_code == 404
    other = new_device_type(server, acme, "Other")
    assert act(client, acme, other, second, "delete").status_code == 404
    assert [item["id"] for item in listing(client, acme, meter)["data"]] == [second]


@pytest.mark.parametrize("action", ["delete", "enable?enabled=true", "downlink"])
def test_an_unknown_device_type_or_callback_is_not_found(
    client: httpx.Client, acme: Tenant, meter: str, action: str
) -> None:
    (bidir,) = create_ok(client, acme, meter, BIDIR)
    for device_type_id, callback_id in [
        ("0" * 24, bidir),
        ("not-an-id", bidir),
        (meter, "0" * 24),
        (meter, "not-an-id"),
    ]:
        response = act(client, acme, device_type_id, callback_id, action)
        assert response.status_code == 404, (device_type_id, callback_id)
        assert set(response.json()) == {"message"}


def test_enable_and_disable_show_in_the_list_and_in_what_ingest_fires(
    client: httpx.Client, server: LiveServer, acme: Tenant, meter: str
) -> None:
    first, second = create_ok(client, acme, meter, URL, BATCH_URL)
    assert act(client, acme, meter, first, "enable?enabled=false").status_code == 200
    assert flags(listing(client, acme, meter), "enabled") == {first: False, second: True}
    fired = server.read(callbacks.find_enabled, meter, [(0, 2)])
    assert [(cb.id, cb.channel, cb.settings["linePattern"]) for cb in fired] == [
        (second, "BATCH_URL", "{device};{data}")
    ]
    response = act(client, acme, meter, first, "enable?enabled=true")
    assert (response.status_code, response.content) == (200, b"")
    assert flags(listing(client, acme, meter), "enabled") == {first: True, second: True}
    assert [cb.id for cb in server.read(callbacks.find_enabled, meter, [(0, 2)])] == [first, second]


@pytest.mark.parametrize("query", ["", "?enabled=", "?enabled=maybe"])
def test_enable_needs_a_boolean(client: httpx.Client, acme: Tenant, meter: str, query: str) -> None:
    (callback_id,) = create_ok(client, acme, meter, URL)
    response = act(client, acme, meter, callback_id, f"enable{query}")
    assert response.status_code == 400
    assert response.json()["message"] == "enabled: " + (
        "must be true or false." if query else "is required."
    )
    assert flags(listing(client, acme, meter), "enabled") == {callback_id: True}


def test_selecting_a_downlink_callback_unselects_the_previous_one(
    client: httpx.Client, server: LiveServer, acme: Tenant, meter: str
) -> None:
    first, second, batch = create_ok(
        client, acme, meter, BIDIR, BIDIR, with_(BATCH_URL, callbackSubtype=3)
    )
    other = new_device_type(server, acme, "Other")
    (elsewhere,) = create_ok(client, acme, other, BIDIR)
    assert act(client, acme, other, elsewhere, "downlink").status_code == 200
    for chosen in (first, second, batch, second):
        response = act(client, acme, meter, chosen, "downlink")
        assert (response.status_code, response.content) == (200, b"")
        expected = {first: False, second: False, batch: False, chosen: True}
        assert flags(listing(client, acme, meter), "downlinkHook") == expected
    assert flags(listing(client, acme, other), "downlinkHook") == {elsewhere: True}


@pytest.mark.parametrize(
    ("definition", "kind"),
    [
        (URL, "DATA UPLINK on the URL channel."),
        (with_(EMAIL, callbackSubtype=3), "DATA BIDIR on the EMAIL channel."),
        (with_(URL, callbackType=1, callbackSubtype=4), "SERVICE ACKNOWLEDGE on the URL channel."),
        (with_(URL, callbackType=2, callbackSubtype=0), "ERROR on the URL channel."),
    ],
)
def test_only_a_bidir_callback_that_can_answer_is_selected(
    client: httpx.Client, acme: Tenant, meter: str, definition: dict[str, Any], kind: str
) -> None:
    selected, refused = create_ok(client, acme, meter, BIDIR, definition)
    assert act(client, acme, meter, selected, "downlink").status_code == 200
    response = act(client, acme, meter, refused, "downlink")
    assert response.status_code == 403
    message = response.json()["message"]
    assert message == (
        "Forbidden owing to some constraints: only a DATA BIDIR callback on the URL or BATCH_URL"
        f" channel can answer downlinks, and callback {refused} is {kind}"
    )
    assert flags(listing(client, acme, meter), "downlinkHook") == {selected: True, refused: False}


def test_concurrent_selections_leave_exactly_one_selected(
    server: LiveServer, client: httpx.Client, acme: Tenant, meter: str
) -> None:
    ids = create_ok(client, acme, meter, *[BIDIR] * 6)

    def select(callback_id: str) -> int:
        with httpx.Client(base_url=server.url, timeout=30) as own:
            return act(own, acme, meter, callback_id, "downlink").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(3):
            assert list(pool.map(select, ids)) == [200] * len(ids)
            assert sum(flags(listing(client, acme, meter), "downlinkHook").values()) == 1


def test_another_tenant_sees_nothing_and_changes_nothing(
    server: LiveServer, client: httpx.Client, acme: Tenant, meter: str
) -> None:
    globex = tenant(server, "Globex")
    (callback_id,) = create_ok(client, acme, meter, BIDIR)
    before = listing(client, acme, meter)
    responses = [
        client.get(f"/api/devicetypes/{meter}/callbacks", auth=globex.auth),
        client.post(f"/api/devicetypes/{meter}/callbacks", auth=globex.auth),
        create(client, globex, meter, [URL]),
        create(client, globex, meter, [with_(URL, httpMethod="PATCH")]),
        act(client, globex, meter, callback_id, "enable?enabled=false"),
        act(client, globex, meter, callback_id, "downlink"),
        act(client, globex, meter, callback_id, "delete"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert listing(client, acme, meter) == before


def test_a_parent_group_manages_its_child_groups_callbacks(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    water = tenant(server, "Acme Water", parent_id=acme.group_id)
    meter = new_device_type(server, water)
    (made_by_child,) = create_ok(client, water, meter, EMAIL)
    (made_by_parent,) = create_ok(client, acme, meter, BIDIR)
    assert listing(client, acme, meter) == listing(client, water, meter)
    assert [item["id"] for item in listing(client, acme, meter)["data"]] == [
        made_by_child,
        made_by_parent,
    ]
    assert act(client, acme, meter, made_by_parent, "downlink").status_code == 200
    assert act(client, acme, meter, made_by_child, "delete").status_code == 200
    assert flags(listing(client, water, meter), "downlinkHook") == {made_by_parent: True}
    child = listing(client, water, meter)
    assert (
        create(client, water, new_device_type(server, acme, "Parent's"), [URL]).status_code == 404
    )
    assert listing(client, water, meter) == child


def test_a_callback_stored_without_optional_settings_lists_only_what_it_has(
    server: LiveServer, client: httpx.Client, acme: Tenant, meter: str
) -> None:
    stored = server.write(
        lambda conn: callbacks.create(
            conn, meter, "BATCH_URL", 0, 3, settings={"url": "http://h/b", "linePattern": "{ack}"}
        )
    )
    assert listing(client, acme, meter)["data"] == [
        {
            "id": stored.id,
            "channel": "BATCH_URL",
            "callbackType": 0,
            "callbackSubtype": 3,
            "urlPattern": "http://h/b",
            "httpMethod": "POST",
            "linePattern": "{ack}",
            "enabled": True,
            "sendDuplicate": False,
            "dead": False,
            "downlinkHook": False,
        }
    ]
