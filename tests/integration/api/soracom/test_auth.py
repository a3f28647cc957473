from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Connection, select, update

from foxden.domain import credentials
from foxden.storage import operators
from foxden.storage.tables import api_tokens
from tests.support.factories import Operator, new_password, operator
from tests.support.server import LiveServer


@pytest.fixture
def acme(server: LiveServer) -> Operator:
    return operator(server, "Acme")


def login(client: httpx.Client, acme: Operator, **extra: object) -> httpx.Response:
    return client.post(
        "/v1/auth", json={"authKeyId": acme.auth_key_id, "authKey": acme.auth_key, **extra}
    )


def lifetime_ms(server: LiveServer, api_key: str) -> int:
    row = server.read(
        lambda conn: conn.execute(
            select(api_tokens.c.expires_at, api_tokens.c.created_at).where(
                api_tokens.c.api_key == api_key
            )
        ).one()
    )
    return int(row.expires_at - row.created_at)


def headers(body: dict[str, str]) -> dict[str, str]:
    return {"X-Soracom-API-Key": body["apiKey"], "X-Soracom-Token": body["token"]}


def test_auth_key_login_returns_key_token_and_operator(
    server: LiveServer, client: httpx.Client, acme: Operator
) -> None:
    response = login(client, acme)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"apiKey", "operatorId", "token"}
    assert body["operatorId"] == acme.operator_id
    assert body["apiKey"].startswith("api-")
    stored = server.read(operators.get_token, body["apiKey"])
    assert stored is not None
    assert stored.operator_id == acme.operator_id
    assert stored.token_digest == credentials.digest(body["token"])
    assert body["token"] not in stored.token_digest


def test_token_timeout_sets_the_expiry(
    server: LiveServer, client: httpx.Client, acme: Operator
) -> None:
    body = login(client, acme, tokenTimeoutSeconds=600).json()
    assert lifetime_ms(server, body["apiKey"]) == 600_000


def test_email_and_password_login(server: LiveServer, client: httpx.Client) -> None:
    password = new_password()

    def make(conn: Connection) -> str:
        from foxden.storage import groups

        group = groups.create(conn, "Root account")
        return operators.create(
            conn, group.id, email="root@example.com", password_hash=password.stored
        ).id

    operator_id = server.write(make)
    ok = client.post("/v1/auth", json={"email": "root@example.com", "password": password.plain})
    assert ok.status_code == 200
    assert ok.json()["operatorId"] == operator_id
    bad = client.post("/v1/auth", json={"email": "root@example.com", "password": "nope"})
    assert bad.status_code == 401
    assert bad.json() == {"code": "AUM0001", "message": "Authentication failed."}


@pytest.mark.parametrize(
    "body",
    [
        {"authKeyId": "keyId-unknown", "authKey": "x"},
        {"email": "nobody@example.com", "password": "x"},
    ],
)
def test_unknown_credentials_are_refused(client: httpx.Client, body: dict[str, str]) -> None:
    response = client.post("/v1/auth", json=body)
    assert response.status_code == 401
    assert response.json()["code"] == "AUM0001"


def test_wrong_auth_key_is_refused(client: httpx.Client, acme: Operator) -> None:
    response = client.post("/v1/auth", json={"authKeyId": acme.auth_key_id, "authKey": "nope"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [{}, {"authKeyId": "keyId-x"}, {"email": "a@b.c"}, {"tokenTimeoutSeconds": 172_801}],
)
def test_incomplete_requests_are_a_400(client: httpx.Client, body: dict[str, object]) -> None:
    response = client.post("/v1/auth", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "COM0001"
    assert response.json()["message"]


def test_logout_revokes_the_token(client: httpx.Client, acme: Operator) -> None:
    body = login(client, acme).json()
    assert client.post("/v1/auth/logout", headers=headers(body)).status_code == 204
    again = client.post("/v1/auth/logout", headers=headers(body))
    assert again.status_code == 401
    assert again.json()["code"] == "AUM0001"


def test_a_token_of_another_key_is_refused(client: httpx.Client, acme: Operator) -> None:
    first = login(client, acme).json()
    second = login(client, acme).json()
    mixed = {"X-Soracom-API-Key": first["apiKey"], "X-Soracom-Token": second["token"]}
    assert client.post("/v1/auth/logout", headers=mixed).status_code == 401


def test_an_expired_token_is_refused(
    server: LiveServer, client: httpx.Client, acme: Operator
) -> None:
    body = login(client, acme).json()
    server.write(
        lambda conn: conn.execute(
            update(api_tokens).where(api_tokens.c.api_key == body["apiKey"]).values(expires_at=0)
        )
    )
    response = client.post("/v1/auth/logout", headers=headers(body))
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_missing_headers_are_refused(client: httpx.Client) -> None:
    response = client.post("/v1/auth/logout")
    assert response.status_code == 401
    assert response.json() == {
        "code": "AUM0001",
        "message": "X-Soracom-API-Key and X-Soracom-Token are required.",
    }


def test_null_token_timeout_takes_the_default(
    server: LiveServer, client: httpx.Client, acme: Operator
) -> None:
    body = login(client, acme, tokenTimeoutSeconds=None).json()
    assert lifetime_ms(server, body["apiKey"]) == 86_400_000
