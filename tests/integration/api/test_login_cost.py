"""An unknown login pays for the same Argon2 verification as a wrong password, on every login
path, so that timing the answers does not tell which logins exist."""

from __future__ import annotations

import httpx
import pytest

from foxden.storage import api_users, operators
from tests.support.factories import operator, tenant
from tests.support.server import LiveServer
from tests.support.verifications import counted


def test_sigfox_and_network_logins_verify_unknown_and_wrong_alike(
    server: LiveServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = tenant(server)
    user = server.read(api_users.get, acme.login)
    assert user is not None
    verified = counted(monkeypatch)
    for login in ("0123456789abcdef01234567", acme.login):
        for method, path in (("GET", "/api/groups"), ("POST", "/network/sigfox/uplinks")):
            response = client.request(method, path, json={}, auth=(login, "wrong"))
            assert response.status_code == 401
            assert response.json()["message"] == "Authentication credentials are invalid."
    assert verified == [None, None, user.password_hash, user.password_hash]


def test_soracom_logins_verify_unknown_and_wrong_alike(
    server: LiveServer, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = operator(server)
    verified = counted(monkeypatch)
    attempts = [
        {"authKeyId": "keyId-unknown", "authKey": "wrong"},
        {"authKeyId": acme.auth_key_id, "authKey": "wrong"},
        {"email": "nobody@example.com", "password": "wrong"},
    ]
    for body in attempts:
        response = client.post("/v1/auth", json=body)
        assert (response.status_code, response.json()) == (
            401,
            {"code": "AUM0001", "message": "Authentication failed."},
        )
    key = server.read(operators.get_auth_key, acme.auth_key_id)
    assert key is not None
    assert verified == [None, key[1], None]
