from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import text

from foxden.config import Settings
from tests.support.factories import fleet, tenant
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
    sigfox = client.delete("/api/groups", auth=acme.auth)
    assert_sigfox_error(sigfox, 405)
    assert sigfox.json() == {"message": "DELETE is not allowed here; this path takes GET."}
    assert sigfox.headers["allow"] == "GET"
    soracom = client.get("/v1/auth")
    assert_soracom_error(soracom, 405)
    assert soracom.json() == {
        "code": "COM0003",
        "message": "GET is not allowed here; this path takes POST.",
    }
    network = client.get("/network/uplinks")
    assert (network.status_code, network.json()) == (
        405,
        {"code": "method_not_allowed", "message": "GET is not allowed here; this path takes POST."},
    )
    assert network.headers["allow"] == "POST"
    # A path with one route per method names them all.
    both = client.delete("/api/devicetypes/0123456789abcdef01234567/callbacks", auth=acme.auth)
    assert both.headers["allow"] == "GET, POST"


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


NOT_JSON = "The request body is not valid JSON: Expecting property name enclosed in double quotes."

MALFORMED_BASIC = [
    ("Basic !!!", "Basic credentials must be login:password in UTF-8 and base64."),
    ("Basic YWJj", "Basic credentials must be login:password (no colon found)."),
    ("Basic /w==", "Basic credentials must be login:password in UTF-8 and base64."),
    ("Basic", "Basic credentials are empty."),
]


@pytest.mark.parametrize(("header", "message"), MALFORMED_BASIC)
def test_malformed_basic_credentials_are_the_sigfox_apis_401(
    client: httpx.Client, header: str, message: str
) -> None:
    response = client.get("/api/groups", headers={"Authorization": header})
    assert (response.status_code, response.json()) == (401, {"message": message})
    assert response.headers["www-authenticate"] == 'Basic realm="foxden"'


@pytest.mark.parametrize(("header", "message"), MALFORMED_BASIC)
def test_malformed_basic_credentials_are_the_network_apis_401(
    client: httpx.Client, header: str, message: str
) -> None:
    response = client.post("/network/sigfox/uplinks", json={}, headers={"Authorization": header})
    assert (response.status_code, response.json()) == (
        401,
        {"code": "unauthenticated", "message": message},
    )
    assert response.headers["www-authenticate"] == 'Bearer, Basic realm="foxden"'


@pytest.mark.parametrize("header", [None, "Bearer abc"])
def test_missing_basic_credentials_are_a_401(client: httpx.Client, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/groups", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication credentials were not present."}
    assert response.headers["www-authenticate"] == 'Basic realm="foxden"'


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "A station token is required (Authorization: Bearer <token>)."),
        ("Bearer", "A station token is required (Authorization: Bearer <token>)."),
        ("Basic YTpi", "A station token is required (Authorization: Bearer <token>)."),
        ("Bearer not a token", "Unknown station token."),
    ],
)
def test_missing_or_malformed_bearer_tokens_are_the_network_apis_401(
    client: httpx.Client, header: str | None, message: str
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post("/network/uplinks", json={}, headers=headers)
    assert (response.status_code, response.json()) == (
        401,
        {"code": "unauthenticated", "message": message},
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"{x",
            NOT_JSON,
        ),
        (b"[]", "The request body must be a JSON object."),
        (b"", "The request body is required."),
        (b'{"authKeyId": 12, "authKey": "k"}', "authKeyId: must be a string."),
        (b'{"authKeyId": "k", "authKey": []}', "authKey: must be a string."),
        (
            b'{"authKeyId": "k", "authKey": "s", "tokenTimeoutSeconds": "x"}',
            "tokenTimeoutSeconds: must be an integer.",
        ),
        (
            b'{"authKeyId": "k", "authKey": "s", "tokenTimeoutSeconds": 0}',
            "tokenTimeoutSeconds: must be at least 1.",
        ),
        (
            b'{"authKeyId": "k", "authKey": "s", "tokenTimeoutSeconds": 172801}',
            "tokenTimeoutSeconds: must be at most 172800.",
        ),
    ],
)
def test_soracom_bad_bodies_are_400_in_readable_english(
    client: httpx.Client, body: bytes, message: str
) -> None:
    response = client.post("/v1/auth", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (400, {"code": "COM0001", "message": message})


UPLINK = {"device": "F000", "seqNumber": 1, "rssi": -120.0, "snr": 10.0, "time": 1_700_000_000_000}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{",
            NOT_JSON,
        ),
        ([UPLINK], "The request body must be a JSON object."),
        ({**UPLINK, "device": 5}, "device: must be a string."),
        ({**UPLINK, "device": "xyz"}, "device: must match ^[0-9a-fA-F]{1,8}$."),
        ({**UPLINK, "seqNumber": "one"}, "seqNumber: must be an integer."),
        ({**UPLINK, "seqNumber": 4096}, "seqNumber: must be at most 4095."),
        ({**UPLINK, "rssi": "loud"}, "rssi: must be a number."),
        ({**UPLINK, "ack": "perhaps"}, "ack: must be true or false."),
        ({**UPLINK, "oob": []}, "oob: must be a JSON object."),
        (
            {**UPLINK, "oob": {"kind": "x"}},
            "oob.kind: must be 'status', 'acknowledge' or 'repeater'.",
        ),
        ({**UPLINK, "bogus": 1}, "bogus: is not a known field."),
        ({k: v for k, v in UPLINK.items() if k != "seqNumber"}, "seqNumber: is required."),
    ],
)
def test_network_bad_bodies_are_400_in_readable_english(
    server: LiveServer, client: httpx.Client, body: object, message: str
) -> None:
    token = fleet(server).stations[0][1]
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = client.post(
        "/network/uplinks",
        content=content,
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    assert (response.status_code, response.json()) == (
        400,
        {"code": "invalid_input", "message": message},
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=x", "limit: must be an integer."),
        ("limit=1000", "limit: must be at most 100."),
        ("limit=0", "limit: must be at least 1."),
    ],
)
def test_sigfox_bad_parameters_are_400_in_readable_english(
    server: LiveServer, client: httpx.Client, query: str, message: str
) -> None:
    acme = tenant(server)
    response = client.get(f"/api/groups?{query}", auth=acme.auth)
    assert (response.status_code, response.json()) == (400, {"message": message})
