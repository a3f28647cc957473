"""Text no database can store (NUL, lone surrogates, bytes that are not UTF-8) is refused at
each API's edge, before any handler runs, with the same answer on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.api.soracom.conftest import Account, open_account
from tests.support.factories import Fleet, fleet
from tests.support.server import LiveServer

NUL = "must not contain the character U+0000."


@pytest.fixture
def account(server: LiveServer) -> Account:
    return open_account(server)


@pytest.fixture
def sigfox(server: LiveServer) -> Fleet:
    return fleet(server)


def soracom_refusal(response: httpx.Response, message: str) -> None:
    assert (response.status_code, response.json()) == (400, {"code": "COM0001", "message": message})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"email": "root\x00@example.com", "password": "x"}, f"email: {NUL}"),
        ({"authKeyId": "keyId-\x00", "authKey": "secret"}, f"authKeyId: {NUL}"),
        ({"authKeyId": "keyId-1", "authKey": "secret\x00"}, f"authKey: {NUL}"),
    ],
)
def test_soracom_login_with_a_nul_is_a_400(
    client: httpx.Client, body: dict[str, str], message: str
) -> None:
    soracom_refusal(client.post("/v1/auth", json=body), message)


def test_a_lone_surrogate_in_json_is_a_400(client: httpx.Client) -> None:
    response = client.post(
        "/v1/auth",
        content=b'{"authKeyId": "\\ud800", "authKey": "secret"}',
        headers={"content-type": "application/json"},
    )
    soracom_refusal(response, "authKeyId: must not contain the character U+D800.")


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("GET", "/v1/groups/%00", None, f"The path {NUL}"),
        ("GET", "/v1/groups/%ff", None, "The path is not valid UTF-8 once percent-decoded."),
        ("GET", "/v1/sigfox_devices?tag_name=site&tag_value=%00", None, f"tag_value: {NUL}"),
        ("GET", "/v1/groups?last_evaluated_key=%00", None, f"last_evaluated_key: {NUL}"),
        (
            "GET",
            "/v1/groups?last_evaluated_key=%ff",
            None,
            "The query string is not valid UTF-8 once percent-decoded.",
        ),
        (
            "PUT",
            "/v1/groups/{group}/tags",
            [{"tagName": "a\x00", "tagValue": "v"}],
            f"0.tagName: {NUL}",
        ),
        (
            "PUT",
            "/v1/sigfox_devices/F000/tags",
            [{"tagName": "site", "tagValue": "Lyon\x00"}],
            f"0.tagValue: {NUL}",
        ),
        ("POST", "/v1/sigfox_devices/F000/set_group", {"groupId": "\x00"}, f"groupId: {NUL}"),
    ],
)
def test_soracom_text_with_a_nul_or_not_utf8_is_a_400(
    client: httpx.Client, account: Account, method: str, path: str, body: Any, message: str
) -> None:
    group = client.post("/v1/groups", json={}, headers=account.headers).json()["groupId"]
    response = client.request(method, path.format(group=group), json=body, headers=account.headers)
    soracom_refusal(response, message)


@pytest.mark.parametrize("field", ["name", "description"])
def test_a_device_type_field_with_a_nul_is_a_400(
    client: httpx.Client, sigfox: Fleet, field: str
) -> None:
    body = {"id": sigfox.device_type_id, field: "Meter\x00"}
    response = client.post("/api/devicetypes/edit", json=body, auth=sigfox.tenant.auth)
    assert (response.status_code, response.json()) == (400, {"message": f"{field}: {NUL}"})


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/groups"), ("POST", "/network/sigfox/uplinks")]
)
def test_basic_credentials_with_a_nul_are_a_401(
    client: httpx.Client, sigfox: Fleet, method: str, path: str
) -> None:
    response = client.request(method, path, json={}, auth=("a\x00b", "secret"))
    assert response.status_code == 401
    assert response.json()["message"] == f"Basic credentials {NUL}"
    assert response.headers["www-authenticate"].endswith('Basic realm="foxden"')


def test_other_control_characters_are_stored_and_read_back(
    client: httpx.Client, account: Account
) -> None:
    value = "line\nbreak\ttab\x01\x7f"
    created = client.post("/v1/groups", json={"tags": {"note": value}}, headers=account.headers)
    assert created.status_code == 201, created.text
    group = client.get(f"/v1/groups/{created.json()['groupId']}", headers=account.headers)
    assert group.json()["tags"] == {"note": value}


def test_non_ascii_text_passes_the_check(client: httpx.Client, account: Account) -> None:
    created = client.post("/v1/groups", json={"tags": {"név": "Zürich ☃"}}, headers=account.headers)
    assert created.status_code == 201, created.text
    listed = client.get(
        "/v1/groups", params={"tag_name": "név", "tag_value": "Zürich ☃"}, headers=account.headers
    )
    assert [g["groupId"] for g in listed.json()] == [created.json()["groupId"]]
