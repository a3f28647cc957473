"""The Soracom API against seed 000 and the official Soracom spec: ids, parameters, bodies."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema_rs
import pytest

from tests.integration.api.soracom.conftest import PAC, Account, stock
from tests.support.factories import operator
from tests.support.server import LiveServer
from tests.support.uplinks import uplink

# Extracts of the documents, made by tests/data/soracom/extract.py.
SPECS = Path(__file__).resolve().parents[3] / "data" / "soracom"
METHODS = ("get", "post", "put", "delete", "patch")
INT_RANGES = {"int32": 2**31, "int64": 2**63}

HARVEST_ON = {"SoracomHarvest": {"enabled": True}}


@dataclass(frozen=True)
class Operation:
    """One operation of an OpenAPI document."""

    method: str
    path: str
    spec: dict[str, Any]

    def parameters(self, document: dict[str, Any]) -> set[tuple[str, str]]:
        """The (in, name) of its query and path parameters."""
        declared = [resolve(document, p) for p in self.spec.get("parameters", [])]
        return {(p["in"], p["name"]) for p in declared if p["in"] in ("query", "path")}


def operations(document: dict[str, Any]) -> dict[str, Operation]:
    """A document's operations by operationId."""
    return {
        op["operationId"]: Operation(method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS and "operationId" in op
    }


@functools.cache
def official() -> dict[str, Any]:
    """The operations foxden serves from the official Soracom spec, with their components."""
    loaded: dict[str, Any] = json.loads((SPECS / "official.json").read_text(encoding="utf-8"))
    return loaded


@functools.cache
def seed() -> dict[str, Any]:
    """Seed 000's OpenAPI document."""
    loaded: dict[str, Any] = json.loads((SPECS / "seed-000.json").read_text(encoding="utf-8"))
    return loaded


# Every operation foxden serves of Soracom's: those the extract holds.
OPERATIONS = tuple(sorted(operations(official())))
# Those seed 000 defines.
SIGFOX_OPERATIONS = tuple(sorted(operations(seed())))


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node``, or what its local ``$ref`` points at."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def inlined(document: dict[str, Any], node: Any) -> Any:
    """A JSON Schema of an OpenAPI schema: ``$ref`` inlined, ``nullable`` as a ``null`` type and
    the integer formats as bounds."""
    if isinstance(node, list):
        return [inlined(document, item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: inlined(document, value) for key, value in resolve(document, node).items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    bound = INT_RANGES.get(node.get("format", ""))
    if bound and node.get("type") == "integer":
        node.setdefault("minimum", -bound)
        node.setdefault("maximum", bound - 1)
    return node


def official_body_schema(operation_id: str, status: int) -> dict[str, Any] | None:
    """The official JSON schema of the operation's body for ``status``, if it has one."""
    response = resolve(official(), official_operation(operation_id).spec["responses"][str(status)])
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return None if schema is None else inlined(official(), schema)


def conforms(schema: dict[str, Any], body: Any) -> None:
    """Assert ``body`` validates against ``schema``, formats included."""
    validator = jsonschema_rs.Draft4Validator(schema, validate_formats=True)
    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors


def official_operation(operation_id: str) -> Operation:
    return operations(official())[operation_id]


def served(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("/v1/openapi.json")
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def test_every_seed_operation_is_one_foxden_implements() -> None:
    assert len(SIGFOX_OPERATIONS) == 12
    assert set(SIGFOX_OPERATIONS) <= set(OPERATIONS)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_is_served_at_its_official_path_and_id(
    client: httpx.Client, operation_id: str
) -> None:
    expected = official_operation(operation_id)
    seeded = operations(seed()).get(operation_id, expected)
    assert (seeded.method, seeded.path) == (expected.method, expected.path)
    ours = served(client)["paths"].get(expected.path, {}).get(expected.method)
    assert ours is not None, f"{expected.method.upper()} {expected.path} is not served"
    assert ours["operationId"] == operation_id


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_declares_every_official_parameter(
    client: httpx.Client, operation_id: str
) -> None:
    expected = official_operation(operation_id)
    wanted = expected.parameters(official())
    if operation_id in SIGFOX_OPERATIONS:
        wanted |= operations(seed())[operation_id].parameters(seed())
    document = served(client)
    ours = Operation(
        expected.method, expected.path, document["paths"][expected.path][expected.method]
    )
    assert wanted <= ours.parameters(document), wanted - ours.parameters(document)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_operation_requires_the_official_security_schemes_together(
    client: httpx.Client, operation_id: str
) -> None:
    expected = official_operation(operation_id)
    document = served(client)
    ours = document["paths"][expected.path][expected.method]
    assert ours.get("security") == expected.spec.get("security")
    for requirement in ours.get("security", []):
        for name in requirement:
            scheme = dict(document["components"]["securitySchemes"][name])
            official_scheme = dict(official()["components"]["securitySchemes"][name])
            scheme.pop("description")
            official_scheme.pop("description")
            assert scheme == official_scheme


@dataclass(frozen=True)
class Setup:
    """What a call needs: the live server, the logged-in operator and its clients."""

    server: LiveServer
    client: httpx.Client
    account: Account
    soracom: httpx.Client

    def ok(self, method: str, url: str, **kwargs: Any) -> Any:
        """A call made only to prepare another; its JSON body, if any."""
        answer = self.soracom.request(method, url, **kwargs)
        assert answer.is_success, answer.text
        return answer.json() if answer.content else None

    def group(self, configuration: dict[str, Any] | None = None) -> str:
        body = {"tags": {"name": "fleet"}, "configuration": configuration or {}}
        group_id: str = self.ok("POST", "/groups", json=body)["groupId"]
        return group_id

    def grouped(self, device_id: str = "F000", configuration: dict[str, Any] | None = None) -> str:
        group_id = self.group(configuration)
        self.ok("POST", f"/sigfox_devices/{device_id}/set_group", json={"groupId": group_id})
        return group_id

    def heard(self, seq: int = 1) -> None:
        """F000 sends a frame."""
        uplink(self.client, self.account.fleet, seq=seq, data="c0ffee")

    def harvested(self) -> None:
        """F000 sends a frame while its group has Harvest on."""
        self.grouped(configuration=HARVEST_ON)
        self.heard()


@pytest.fixture
def setup(
    server: LiveServer, client: httpx.Client, account: Account, soracom: httpx.Client
) -> Setup:
    return Setup(server, client, account, soracom)


Call = Callable[[Setup], httpx.Response]


def call_auth(s: Setup) -> httpx.Response:
    acme = operator(s.server, "Acme")
    answer = s.client.post(
        "/v1/auth", json={"authKeyId": acme.auth_key_id, "authKey": acme.auth_key}
    )
    assert answer.json()["operatorId"] == acme.operator_id
    return answer


def call_logout(s: Setup) -> httpx.Response:
    answer = s.soracom.post("/auth/logout")
    assert s.soracom.get("/groups").status_code == 401
    return answer


def call_list_groups(s: Setup) -> httpx.Response:
    group_id = s.group()
    answer = s.soracom.get("/groups")
    assert [group["groupId"] for group in answer.json()] == [group_id]
    return answer


def call_create_group(s: Setup) -> httpx.Response:
    answer = s.soracom.post(
        "/groups", json={"tags": {"name": "fleet"}, "configuration": HARVEST_ON}
    )
    assert answer.json()["configuration"] == HARVEST_ON
    return answer


def call_get_group(s: Setup) -> httpx.Response:
    group_id = s.group(HARVEST_ON)
    answer = s.soracom.get(f"/groups/{group_id}")
    assert (answer.json()["groupId"], answer.json()["tags"]) == (group_id, {"name": "fleet"})
    return answer


def call_delete_group(s: Setup) -> httpx.Response:
    group_id = s.group()
    answer = s.soracom.delete(f"/groups/{group_id}")
    assert s.soracom.get(f"/groups/{group_id}").status_code == 404
    return answer


def call_put_group_tags(s: Setup) -> httpx.Response:
    group_id = s.group()
    tags = [{"tagName": "site", "tagValue": "Lyon"}]
    answer = s.soracom.put(f"/groups/{group_id}/tags", json=tags)
    assert answer.json()["tags"] == {"name": "fleet", "site": "Lyon"}
    return answer


def call_delete_group_tag(s: Setup) -> httpx.Response:
    group_id = s.group()
    answer = s.soracom.delete(f"/groups/{group_id}/tags/name")
    assert s.ok("GET", f"/groups/{group_id}")["tags"] == {}
    return answer


def call_put_configuration_parameters(s: Setup) -> httpx.Response:
    group_id = s.group()
    parameters = [{"key": "enabled", "value": True}]
    answer = s.soracom.put(f"/groups/{group_id}/configuration/SoracomHarvest", json=parameters)
    assert answer.json()["configuration"] == HARVEST_ON
    return answer


def call_delete_configuration_namespace(s: Setup) -> httpx.Response:
    group_id = s.group(HARVEST_ON)
    answer = s.soracom.delete(f"/groups/{group_id}/configuration/SoracomHarvest")
    assert s.ok("GET", f"/groups/{group_id}")["configuration"] == {}
    return answer


def call_delete_configuration_parameter(s: Setup) -> httpx.Response:
    group_id = s.group(HARVEST_ON)
    answer = s.soracom.delete(f"/groups/{group_id}/configuration/SoracomHarvest/enabled")
    assert "enabled" not in s.ok("GET", f"/groups/{group_id}")["configuration"].get(
        "SoracomHarvest", {}
    )
    return answer


def entries_of_f000(answer: httpx.Response) -> httpx.Response:
    (entry,) = answer.json()
    assert (entry["resourceId"], entry["resourceType"]) == ("F000", "SigfoxDevice")
    return answer


def call_get_data_entries(s: Setup) -> httpx.Response:
    s.harvested()
    return entries_of_f000(s.soracom.get("/data/SigfoxDevice/F000"))


def call_list_data_source_resources(s: Setup) -> httpx.Response:
    s.harvested()
    return entries_of_f000(s.soracom.get("/data/resources"))


def call_get_data_from_sigfox_device(s: Setup) -> httpx.Response:
    s.harvested()
    return entries_of_f000(s.soracom.get("/sigfox_devices/F000/data"))


def call_list_sigfox_devices(s: Setup) -> httpx.Response:
    s.heard()
    answer = s.soracom.get("/sigfox_devices")
    assert [device["device_id"] for device in answer.json()] == ["F000", "F001", "F002"]
    assert "lastSeen" in answer.json()[0]
    return answer


def call_get_sigfox_device(s: Setup) -> httpx.Response:
    s.heard()
    answer = s.soracom.get("/sigfox_devices/F000")
    assert answer.json()["lastSeen"]["rssi"] == -100
    return answer


def call_send_data_to_sigfox_device(s: Setup) -> httpx.Response:
    return s.soracom.post("/sigfox_devices/F000/data", json={"data": "0102030405060708"})


def call_disable_termination(s: Setup) -> httpx.Response:
    s.ok("POST", "/sigfox_devices/F000/enable_termination")
    answer = s.soracom.post("/sigfox_devices/F000/disable_termination")
    assert answer.json()["terminationEnabled"] is False
    return answer


def call_enable_termination(s: Setup) -> httpx.Response:
    answer = s.soracom.post("/sigfox_devices/F000/enable_termination")
    assert answer.json()["terminationEnabled"] is True
    return answer


def call_register_sigfox_device(s: Setup) -> httpx.Response:
    stock(s.server, s.account, "F0FF")
    body = {"registrationSecret": PAC, "tags": {"name": "new"}}
    answer = s.soracom.post("/sigfox_devices/F0FF/register", json=body)
    assert (answer.json()["status"], answer.json()["tags"]) == ("ready", {"name": "new"})
    return answer


def call_set_sigfox_device_group(s: Setup) -> httpx.Response:
    group_id = s.group()
    answer = s.soracom.post("/sigfox_devices/F000/set_group", json={"groupId": group_id})
    assert answer.json()["groupId"] == group_id
    return answer


def call_put_sigfox_device_tags(s: Setup) -> httpx.Response:
    tags = [{"tagName": "site", "tagValue": "Lyon"}]
    answer = s.soracom.put("/sigfox_devices/F000/tags", json=tags)
    assert answer.json()["tags"] == {"site": "Lyon"}
    return answer


def call_delete_sigfox_device_tag(s: Setup) -> httpx.Response:
    s.ok("PUT", "/sigfox_devices/F000/tags", json=[{"tagName": "site", "tagValue": "Lyon"}])
    answer = s.soracom.delete("/sigfox_devices/F000/tags/site")
    assert s.ok("GET", "/sigfox_devices/F000")["tags"] == {}
    return answer


def call_terminate_sigfox_device(s: Setup) -> httpx.Response:
    s.ok("POST", "/sigfox_devices/F000/enable_termination")
    answer = s.soracom.post("/sigfox_devices/F000/terminate")
    assert answer.json()["status"] == "terminated"
    return answer


def call_unset_sigfox_device_group(s: Setup) -> httpx.Response:
    s.grouped()
    answer = s.soracom.post("/sigfox_devices/F000/unset_group")
    assert "groupId" not in answer.json()
    return answer


CALLS: dict[str, Call] = {
    "auth": call_auth,
    "logout": call_logout,
    "listGroups": call_list_groups,
    "createGroup": call_create_group,
    "getGroup": call_get_group,
    "deleteGroup": call_delete_group,
    "putGroupTags": call_put_group_tags,
    "deleteGroupTag": call_delete_group_tag,
    "putConfigurationParameters": call_put_configuration_parameters,
    "deleteConfigurationNamespace": call_delete_configuration_namespace,
    "deleteConfigurationParameter": call_delete_configuration_parameter,
    "getDataEntries": call_get_data_entries,
    "listDataSourceResources": call_list_data_source_resources,
    "listSigfoxDevices": call_list_sigfox_devices,
    "getSigfoxDevice": call_get_sigfox_device,
    "getDataFromSigfoxDevice": call_get_data_from_sigfox_device,
    "sendDataToSigfoxDevice": call_send_data_to_sigfox_device,
    "disableTerminationOnSigfoxDevice": call_disable_termination,
    "enableTerminationOnSigfoxDevice": call_enable_termination,
    "registerSigfoxDevice": call_register_sigfox_device,
    "setSigfoxDeviceGroup": call_set_sigfox_device_group,
    "putSigfoxDeviceTags": call_put_sigfox_device_tags,
    "deleteSigfoxDeviceTag": call_delete_sigfox_device_tag,
    "terminateSigfoxDevice": call_terminate_sigfox_device,
    "unsetSigfoxDeviceGroup": call_unset_sigfox_device_group,
}


def test_every_operation_has_a_call() -> None:
    assert set(CALLS) == set(OPERATIONS)


def documented_status(operation_id: str, answer: httpx.Response) -> None:
    """Assert the operation's status is one the official spec documents for it."""
    documented = official_operation(operation_id).spec["responses"]
    assert str(answer.status_code) in documented, (answer.status_code, sorted(documented))


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_success_body_conforms_to_the_official_schema(setup: Setup, operation_id: str) -> None:
    answer = CALLS[operation_id](setup)
    assert answer.is_success, answer.text
    documented_status(operation_id, answer)
    schema = official_body_schema(operation_id, answer.status_code)
    if schema is None:
        assert answer.content == b""
        return
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body != [], "validate a non-empty list"
    conforms(schema, body)


def fail_auth(s: Setup) -> httpx.Response:
    return s.client.post("/v1/auth", json={"authKeyId": "keyId-nope", "authKey": "secret-nope"})


def fail_get_sigfox_device(s: Setup) -> httpx.Response:
    return s.soracom.get("/sigfox_devices/FFFF")


def fail_register_sigfox_device(s: Setup) -> httpx.Response:
    stock(s.server, s.account, "F0FF")
    return s.soracom.post("/sigfox_devices/F0FF/register", json={"registrationSecret": "1" * 16})


FAILURES: dict[str, tuple[int, Callable[[Setup], httpx.Response]]] = {
    "auth": (401, fail_auth),
    "getSigfoxDevice": (404, fail_get_sigfox_device),
    "registerSigfoxDevice": (400, fail_register_sigfox_device),
}


@pytest.mark.parametrize("operation_id", FAILURES)
def test_error_body_conforms_to_api_call_error_message(setup: Setup, operation_id: str) -> None:
    status, fail = FAILURES[operation_id]
    answer = fail(setup)
    assert answer.status_code == status, answer.text
    documented_status(operation_id, answer)
    schema = inlined(official(), {"$ref": "#/components/schemas/APICallErrorMessage"})
    conforms(schema, answer.json())
    assert answer.json()["message"]


def next_link(answer: httpx.Response) -> str:
    match = re.fullmatch(r"<([^>]+)>; rel=next", answer.headers["link"])
    assert match is not None, answer.headers["link"]
    return match.group(1)


def test_link_header_is_an_absolute_url_that_serves_the_next_page(
    server: LiveServer, account: Account, soracom: httpx.Client
) -> None:
    first = soracom.get("/sigfox_devices", params={"limit": 2, "tag_value_match_mode": "exact"})
    assert [device["device_id"] for device in first.json()] == ["F000", "F001"]
    url = urlsplit(next_link(first))
    assert f"{url.scheme}://{url.netloc}" == server.url
    assert url.path == "/v1/sigfox_devices"
    assert parse_qs(url.query) == {
        "limit": ["2"],
        "tag_value_match_mode": ["exact"],
        "last_evaluated_key": [first.headers["x-soracom-next-key"]],
    }
    following = httpx.get(next_link(first), headers=account.headers)
    assert following.status_code == 200, following.text
    assert [device["device_id"] for device in following.json()] == ["F002"]
    assert "link" not in following.headers
