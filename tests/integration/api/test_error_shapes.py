from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from foxden.config import Settings
from tests.support.factories import tenant
from tests.support.server import LiveServer


def assert_sigfox_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"message"}
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in response.text


def assert_soracom_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message"}
    assert len(body["code"]) == 7 and body["code"][:3].isalpha() and body["code"][3:].isdigit()
    assert "Traceback" not in response.text


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, demo=False, max_body_bytes=4096)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"authKeyId": 12, "authKey": []}', b'{"tokenTimeoutSeconds": "x"}'],
)
def test_soracom_malformed_bodies_are_400(client: httpx.Client, body: bytes) -> None:
    response = client.post("/v1/auth", content=body, headers={"content-type": "application/json"})
    assert_soracom_error(response, 400)


def test_soracom_oversized_body_is_413(client: httpx.Client) -> None:
    response = client.post("/v1/auth", json={"authKey": "x" * 5000, "authKeyId": "k"})
    assert_soracom_error(response, 413)
    assert "4096" in response.json()["message"]


def test_oversized_body_without_length_is_413(client: httpx.Client) -> None:
    def chunks() -> object:
        yield b'{"authKey": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = client.post(
        "/v1/auth", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_soracom_error(response, 413)


def test_sigfox_oversized_body_is_413(server: LiveServer, client: httpx.Client) -> None:
    acme = tenant(server)
    response = client.post("/api/groups", content=b"x" * 5000, auth=acme.auth)
    assert_sigfox_error(response, 413)


def test_unknown_routes_are_404_in_each_shape(client: httpx.Client) -> None:
    assert_sigfox_error(client.get("/api/nothing-here"), 404)
    assert_soracom_error(client.get("/v1/nothing-here"), 404)
    response = client.get("/elsewhere")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_wrong_methods_are_405_in_each_shape(server: LiveServer, client: httpx.Client) -> None:
    acme = tenant(server)
    assert_sigfox_error(client.delete("/api/groups", auth=acme.auth), 405)
    assert_soracom_error(client.get("/v1/auth"), 405)


def test_openapi_documents_are_served(client: httpx.Client) -> None:
    sigfox = client.get("/api/openapi.json").json()
    assert "/groups" in sigfox["paths"] and "/groups/{group_id}" in sigfox["paths"]
    soracom = client.get("/v1/openapi.json").json()
    assert "/auth" in soracom["paths"]
    index = client.get("/").json()
    assert [api["path"] for api in index["apis"]] == ["/api", "/v1", "/network"]
    network = client.get("/network/openapi.json").json()
    assert {"/uplinks", "/sigfox/uplinks"} <= set(network["paths"])


def test_unexpected_failures_are_500_in_each_shape_and_logged(
    server: LiveServer, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    acme = tenant(server)
    server.write(lambda conn: conn.execute(text("DROP TABLE api_users")))
    server.write(lambda conn: conn.execute(text("DROP TABLE api_tokens")))
    response = client.get("/api/groups", auth=acme.auth)
    assert_sigfox_error(response, 500)
    assert response.json() == {"message": "An unexpected error occurred."}
    keys = {"X-Soracom-API-Key": "api-x", "X-Soracom-Token": "t"}
    assert_soracom_error(client.post("/v1/auth/logout", headers=keys), 500)
    assert "unexpected error on GET /api/groups" in caplog.text
