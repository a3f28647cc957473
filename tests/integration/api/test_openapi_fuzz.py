from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation.case import Case

from foxden.domain.clock import now_ms
from foxden.domain.uplinks import TimeUnit, plausible
from tests.support.documents import network_schema, sigfox_schema, soracom_schema
from tests.support.factories import Fleet, Operator, Tenant, fleet, operator, tenant
from tests.support.server import LiveServer

# Derandomized: every run tries the same examples, so a failure in CI reproduces locally.
FUZZ = settings(
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def fuzz_tenant(server: LiveServer) -> Tenant:
    return tenant(server, "Fuzz")


@pytest.fixture
def soracom_headers(server: LiveServer) -> dict[str, str]:
    acme: Operator = operator(server, "Fuzz")
    body = httpx.post(
        f"{server.url}/v1/auth", json={"authKeyId": acme.auth_key_id, "authKey": acme.auth_key}
    ).json()
    return {"X-Soracom-API-Key": body["apiKey"], "X-Soracom-Token": body["token"]}


# pydantic's own wording, which an error message must never show: it names what the user wrote.
PYDANTIC_WORDING = ("Input should", "Field required", "constrained-", "dictionary", "Value error")

# Query parameters that the documents say require another, which a schema cannot express:
# a request with the first and without the second is rightly refused.
REQUIRES = {"tag_name": "tag_value"}

# A frame's time must fall in a window that moves with the clock (docs/network-api.md), which a
# schema cannot express: a frame with a time outside it is rightly refused.
TIME_UNITS = {"/uplinks": TimeUnit.MILLISECONDS, "/sigfox/uplinks": TimeUnit.SECONDS}


def implausible(case: Case) -> bool:
    """Whether ``case`` posts a frame whose time is outside the plausible window."""
    unit = TIME_UNITS.get(case.path)
    time = case.body.get("time") if unit and isinstance(case.body, dict) else None
    # JSON Schema counts 12.0 as an integer.
    if unit is None or not isinstance(time, int | float) or not float(time).is_integer():
        return False
    return not plausible(int(time) * unit, now_ms())


def validate(case: Case, base_url: str, **kwargs: Any) -> None:
    """Call the live server and hold the answer to the document.

    Query parameters the document does not name are ignored, as the real services ignore them
    (clients add cache busters and the like), so such a request is not expected to be refused;
    nor is it held against a 413 that it was not refused for its schema.
    """
    declared = {p["name"] for p in case.operation.definition.raw.get("parameters", [])}
    query = case.query or {}
    unknown = set(query) - declared
    # An object or a list where the document wants a string reaches the wire as other or
    # repeated parameters, which a server cannot tell from a valid request's.
    unknown |= {name for name, value in query.items() if isinstance(value, (dict, list))}
    lacking = any(name in query and needed not in query for name, needed in REQUIRES.items())
    response = case.call(base_url=base_url, **kwargs)
    # A body over the server's size cap is refused with a 413 before its schema is looked at.
    refused = unknown or response.status_code == 413
    excluded = [negative_data_rejection] if refused else []
    if lacking or implausible(case):
        excluded.append(positive_data_acceptance)
    case.validate_response(response, excluded_checks=excluded)
    assert not any(words in response.text for words in PYDANTIC_WORDING), response.text


@sigfox_schema.parametrize()
@FUZZ
def test_sigfox_v1_api_honours_its_document(
    case: Case, server: LiveServer, fuzz_tenant: Tenant
) -> None:
    # As a header, not as `auth=`, so that the check dropping the header really drops it.
    basic = httpx.BasicAuth(*fuzz_tenant.auth)._auth_header
    validate(case, f"{server.url}/api", headers={"Authorization": basic})


@soracom_schema.parametrize()
@FUZZ
def test_soracom_api_honours_its_document(
    case: Case, server: LiveServer, soracom_headers: dict[str, str]
) -> None:
    if case.path == "/auth/logout":
        # Logging out revokes the token every later example needs; the auth tests cover it.
        return
    validate(case, f"{server.url}/v1", headers=soracom_headers)


@pytest.fixture
def fuzz_fleet(server: LiveServer) -> Fleet:
    return fleet(server, payload_config="temperature::int:16 humidity::uint:8")


@network_schema.parametrize()
@FUZZ
def test_network_api_honours_its_document(
    case: Case, server: LiveServer, fuzz_fleet: Fleet
) -> None:
    if case.path == "/uplinks":
        authorization = f"Bearer {fuzz_fleet.stations[0][1]}"
    else:
        authorization = httpx.BasicAuth(*fuzz_fleet.tenant.auth)._auth_header
    validate(case, f"{server.url}/network", headers={"Authorization": authorization})
