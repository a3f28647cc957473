"""Soracom groups: create, list, read, tag, configure and delete an operator's groups."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.api.soracom.conftest import Account, open_account
from tests.support.server import LiveServer


def problem(response: httpx.Response, status: int) -> str:
    """Assert a Soracom error response with this status; its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] and body["message"]
    message: str = body["message"]
    return message


def create(soracom: httpx.Client, **body: Any) -> dict[str, Any]:
    """Create a group with ``body``; the group answered."""
    response = soracom.post("/groups", json=body)
    assert response.status_code == 201, response.text
    group: dict[str, Any] = response.json()
    return group


def fetch(soracom: httpx.Client, group_id: str) -> dict[str, Any]:
    response = soracom.get(f"/groups/{group_id}")
    assert response.status_code == 200, response.text
    group: dict[str, Any] = response.json()
    return group


def configure(
    soracom: httpx.Client, group_id: str, namespace: str, parameters: dict[str, Any]
) -> httpx.Response:
    body = [{"key": key, "value": value} for key, value in parameters.items()]
    return soracom.put(f"/groups/{group_id}/configuration/{namespace}", json=body)


def listed(soracom: httpx.Client, *, follow_link: bool, **params: Any) -> list[list[str]]:
    """Every page of ``GET /groups`` followed to the end, by the next key or by the link."""
    pages: list[list[str]] = []
    response = soracom.get("/groups", params=params)
    while True:
        assert response.status_code == 200, response.text
        pages.append([group["groupId"] for group in response.json()])
        key = response.headers.get("x-soracom-next-key")
        if key is None:
            assert "link" not in response.headers
            return pages
        assert key == pages[-1][-1]
        if follow_link:
            link = response.headers["link"]
            assert link.endswith(">; rel=next") and f"last_evaluated_key={key}" in link
            response = soracom.get(link[1 : -len(">; rel=next")])
        else:
            response = soracom.get("/groups", params={**params, "last_evaluated_key": key})


@pytest.fixture
def other(server: LiveServer) -> Account:
    return open_account(server, devices=0)


@pytest.fixture
def foreign_group(server: LiveServer, other: Account) -> str:
    with httpx.Client(base_url=f"{server.url}/v1", headers=other.headers) as client:
        return str(create(client, tags={"name": "theirs"})["groupId"])


def test_create_echoes_tags_configuration_and_times(
    soracom: httpx.Client, account: Account
) -> None:
    before = time.time_ns() // 1_000_000
    group = create(
        soracom,
        tags={"name": "Sensors", "site": "Lyon"},
        configuration={"SoracomHarvest": {"enabled": True}, "SoracomAir": {"metadata": {"x": 1}}},
    )
    after = time.time_ns() // 1_000_000
    assert str(uuid.UUID(group["groupId"])) == group["groupId"]
    assert group["operatorId"] == account.operator_id
    assert group["tags"] == {"name": "Sensors", "site": "Lyon"}
    assert group["configuration"] == {
        "SoracomHarvest": {"enabled": True},
        "SoracomAir": {"metadata": {"x": 1}},
    }
    assert before <= group["createdTime"] <= after
    assert group["lastModifiedTime"] == group["createdTime"]
    assert group["createdAt"] == group["createdTime"]
    assert group["lastModifiedAt"] == group["lastModifiedTime"]
    assert fetch(soracom, group["groupId"]) == group


def test_create_without_body_fields_makes_an_empty_group(soracom: httpx.Client) -> None:
    group = create(soracom)
    assert group["tags"] == {}
    assert group["configuration"] == {}


@pytest.mark.parametrize("follow_link", [False, True], ids=["next_key", "link"])
def test_list_pages_return_each_group_once(
    soracom: httpx.Client, foreign_group: str, follow_link: bool
) -> None:
    made = {create(soracom, tags={"n": str(n)})["groupId"] for n in range(5)}
    pages = listed(soracom, follow_link=follow_link, limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    ids = [group_id for page in pages for group_id in page]
    assert ids == sorted(made)
    assert foreign_group not in ids


def test_list_without_limit_returns_all_groups_on_one_page(soracom: httpx.Client) -> None:
    made = sorted(create(soracom)["groupId"] for _ in range(3))
    response = soracom.get("/groups")
    assert [group["groupId"] for group in response.json()] == made
    assert "x-soracom-next-key" not in response.headers


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("exact", ["sensor"]), ("prefix", ["sensor", "sensor-a", "sensor-b"])],
)
def test_tag_filter_matches_value_exactly_or_by_prefix(
    soracom: httpx.Client, mode: str, expected: list[str]
) -> None:
    for value in ("sensor", "sensor-a", "sensor-b", "other-sensor"):
        create(soracom, tags={"kind": value})
    create(soracom, tags={"other": "sensor"})
    response = soracom.get(
        "/groups", params={"tag_name": "kind", "tag_value": "sensor", "tag_value_match_mode": mode}
    )
    assert response.status_code == 200, response.text
    assert sorted(group["tags"]["kind"] for group in response.json()) == expected


def test_tag_filter_pages_keep_the_filter(soracom: httpx.Client) -> None:
    kept = {create(soracom, tags={"kind": "a"})["groupId"] for _ in range(3)}
    for _ in range(3):
        create(soracom, tags={"kind": "b"})
    pages = listed(soracom, follow_link=True, limit=1, tag_name="kind", tag_value="a")
    assert [group_id for page in pages for group_id in page] == sorted(kept)


def test_tag_name_without_value_is_400(soracom: httpx.Client) -> None:
    problem(soracom.get("/groups", params={"tag_name": "kind"}), 400)


def test_unknown_group_is_404(soracom: httpx.Client) -> None:
    problem(soracom.get(f"/groups/{uuid.uuid4()}"), 404)


OPERATIONS: list[tuple[str, str, Any]] = [
    ("GET", "", None),
    ("DELETE", "", None),
    ("PUT", "/tags", [{"tagName": "a", "tagValue": "b"}]),
    ("DELETE", "/tags/name", None),
    ("PUT", "/configuration/SoracomHarvest", [{"key": "enabled", "value": False}]),
    ("DELETE", "/configuration/SoracomHarvest", None),
    ("DELETE", "/configuration/SoracomHarvest/enabled", None),
]


@pytest.mark.parametrize(("method", "suffix", "body"), OPERATIONS)
def test_another_operators_group_is_404_on_every_operation(
    server: LiveServer,
    soracom: httpx.Client,
    other: Account,
    foreign_group: str,
    method: str,
    suffix: str,
    body: Any,
) -> None:
    response = soracom.request(method, f"/groups/{foreign_group}{suffix}", json=body)
    problem(response, 404)
    with httpx.Client(base_url=f"{server.url}/v1", headers=other.headers) as owner:
        assert fetch(owner, foreign_group)["tags"] == {"name": "theirs"}


def test_put_tags_adds_and_replaces(soracom: httpx.Client) -> None:
    group = create(soracom, tags={"keep": "1", "change": "old"})
    response = soracom.put(
        f"/groups/{group['groupId']}/tags",
        json=[{"tagName": "change", "tagValue": "new"}, {"tagName": "added", "tagValue": ""}],
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["tags"] == {"keep": "1", "change": "new", "added": ""}
    assert updated["lastModifiedTime"] >= group["lastModifiedTime"]
    assert updated["createdTime"] == group["createdTime"]
    assert fetch(soracom, group["groupId"]) == updated


def test_delete_tag_with_a_percent_encoded_slash(soracom: httpx.Client) -> None:
    group = create(soracom, tags={"site/room": "A1", "site": "Lyon"})
    response = soracom.delete(f"/groups/{group['groupId']}/tags/site%2Froom")
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert fetch(soracom, group["groupId"])["tags"] == {"site": "Lyon"}


def test_delete_missing_tag_is_404(soracom: httpx.Client) -> None:
    group = create(soracom, tags={"site": "Lyon"})
    problem(soracom.delete(f"/groups/{group['groupId']}/tags/room"), 404)
    assert fetch(soracom, group["groupId"])["tags"] == {"site": "Lyon"}


def test_put_configuration_keeps_values_of_any_json_type(soracom: httpx.Client) -> None:
    group = create(soracom, configuration={"SoracomAir": {"useVpg": False}})
    parameters = {
        "enabled": True,
        "ratio": 1.5,
        "count": 3,
        "name": "x",
        "list": [1, "a", None],
        "nested": {"a": {"b": [True]}},
    }
    response = configure(soracom, group["groupId"], "SoracomHarvest", parameters)
    assert response.status_code == 200, response.text
    expected = {"SoracomAir": {"useVpg": False}, "SoracomHarvest": parameters}
    assert response.json()["configuration"] == expected
    assert fetch(soracom, group["groupId"])["configuration"] == expected


def test_put_configuration_replaces_only_the_named_parameters(soracom: httpx.Client) -> None:
    group = create(soracom, configuration={"SoracomHarvest": {"enabled": True, "other": 1}})
    response = configure(soracom, group["groupId"], "SoracomHarvest", {"enabled": False})
    assert response.json()["configuration"] == {"SoracomHarvest": {"enabled": False, "other": 1}}


def test_put_configuration_of_unknown_namespace_is_400(soracom: httpx.Client) -> None:
    group = create(soracom)
    problem(configure(soracom, group["groupId"], "SoracomNope", {"enabled": True}), 400)
    assert fetch(soracom, group["groupId"])["configuration"] == {}


def test_delete_namespace_removes_it(soracom: httpx.Client) -> None:
    group = create(
        soracom,
        configuration={"SoracomHarvest": {"enabled": True}, "SoracomAir": {"useVpg": True}},
    )
    response = soracom.delete(f"/groups/{group['groupId']}/configuration/SoracomHarvest")
    assert response.status_code == 204, response.text
    assert fetch(soracom, group["groupId"])["configuration"] == {"SoracomAir": {"useVpg": True}}


def test_delete_absent_namespace_is_400(soracom: httpx.Client) -> None:
    group = create(soracom, configuration={"SoracomAir": {"useVpg": True}})
    problem(soracom.delete(f"/groups/{group['groupId']}/configuration/SoracomHarvest"), 400)
    problem(soracom.delete(f"/groups/{group['groupId']}/configuration/SoracomNope"), 400)
    assert fetch(soracom, group["groupId"])["configuration"] == {"SoracomAir": {"useVpg": True}}


def test_delete_parameter_removes_only_it(soracom: httpx.Client) -> None:
    group = create(soracom, configuration={"SoracomHarvest": {"enabled": True, "a/b": 2}})
    path = f"/groups/{group['groupId']}/configuration/SoracomHarvest"
    assert soracom.delete(f"{path}/a%2Fb").status_code == 204
    assert fetch(soracom, group["groupId"])["configuration"] == {
        "SoracomHarvest": {"enabled": True}
    }
    assert soracom.delete(f"{path}/enabled").status_code == 204
    assert fetch(soracom, group["groupId"])["configuration"] == {"SoracomHarvest": {}}


def test_delete_group_then_it_is_gone(soracom: httpx.Client) -> None:
    group = create(soracom)
    kept = create(soracom)
    response = soracom.delete(f"/groups/{group['groupId']}")
    assert response.status_code == 204, response.text
    assert response.content == b""
    problem(soracom.get(f"/groups/{group['groupId']}"), 404)
    problem(soracom.delete(f"/groups/{group['groupId']}"), 404)
    assert [found["groupId"] for found in soracom.get("/groups").json()] == [kept["groupId"]]


def test_delete_is_refused_while_a_device_is_in_the_group(
    soracom: httpx.Client, account: Account
) -> None:
    group_id = create(soracom)["groupId"]
    device_id = account.fleet.device_ids[0]
    joined = soracom.post(f"/sigfox_devices/{device_id}/set_group", json={"groupId": group_id})
    assert joined.status_code == 200, joined.text
    problem(soracom.delete(f"/groups/{group_id}"), 400)
    assert fetch(soracom, group_id)["groupId"] == group_id
    left = soracom.post(f"/sigfox_devices/{device_id}/unset_group")
    assert left.status_code == 200, left.text
    assert soracom.delete(f"/groups/{group_id}").status_code == 204
    problem(soracom.get(f"/groups/{group_id}"), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"tags": ["a"]},
        {"tags": {"a": 1}},
        {"configuration": {"SoracomHarvest": True}},
        {"configuration": {"SoracomNope": {"enabled": True}}},
        {"tags": {"": "empty name"}},
        {"tags": {"long": "x" * 1025}},
        [],
    ],
)
def test_create_with_a_malformed_body_is_400(soracom: httpx.Client, body: Any) -> None:
    problem(soracom.post("/groups", json=body), 400)
    assert soracom.get("/groups").json() == []


def test_create_with_a_body_that_is_not_json_is_400(soracom: httpx.Client) -> None:
    response = soracom.post(
        "/groups", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    problem(response, 400)


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("/tags", {"tagName": "a", "tagValue": "b"}),
        ("/tags", [{"tagName": "a"}]),
        ("/tags", [{"tagName": "a", "tagValue": 3}]),
        ("/tags", [{"tagName": "", "tagValue": "b"}]),
        ("/configuration/SoracomHarvest", {"key": "enabled", "value": True}),
        ("/configuration/SoracomHarvest", [{"key": 1, "value": True}]),
        ("/configuration/SoracomHarvest", [{"key": "enabled"}]),
        ("/configuration/SoracomHarvest", "not a list"),
    ],
)
def test_updates_with_a_malformed_body_are_400(
    soracom: httpx.Client, suffix: str, body: Any
) -> None:
    group = create(soracom, tags={"keep": "1"})
    problem(soracom.put(f"/groups/{group['groupId']}{suffix}", json=body), 400)
    problem(
        soracom.put(
            f"/groups/{group['groupId']}{suffix}",
            content=b"[{",
            headers={"Content-Type": "application/json"},
        ),
        400,
    )
    assert fetch(soracom, group["groupId"]) == group
