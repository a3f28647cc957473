"""Hostile values in every field of every API: never a 500, always the API's own error shape.

For each operation of each OpenAPI document, a request the document accepts is drawn once
(with real ids in the path wherever the fixture has them), then every path, query, header and
body field in turn gets every hostile value while the rest of the request stays valid: NUL and
control characters, lone surrogates, 10 KB strings, percent-escapes that are not UTF-8, ±2^63
and beyond, paging values out of any range, times from before year 1 and after year 9999. The
walk is deterministic, so a failure names the operation, the field and the value.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, find, settings
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.schemas import OpenApiSchema

from foxden.domain.clock import now_ms
from foxden.storage import config_groups
from foxden.storage import device_types as storage_device_types
from foxden.storage import devices as storage_devices
from tests.support.documents import network_schema, sigfox_schema, soracom_schema
from tests.support.factories import Fleet, fleet, operator
from tests.support.server import LiveServer

INTEGERS = [-1, 2**63 - 1, 2**63, -(2**63) - 1, 10**20, 253402300800000, -62135596800001]
FLOATS = [1e308, -0.0]
STRINGS = [
    "",
    "a\x00b",
    "\x01\x08\x1b[31m\x7f",
    "\ud800",
    "x" * 10240,
    "é☃𝄞",
    "'\"; DROP TABLE devices; --",
]
# Written into a URL as they are: escapes of NUL, of bytes that are no UTF-8, of a surrogate.
RAW_ESCAPES = ["%00", "%ff", "%ED%A0%80"]
NUMERIC_TEXT = ["1e400", "NaN", "1.5"]
WRONG_TYPES: list[object] = [None, [], {}]
BODIES = [
    b"",
    b"\xff\xfe\x00",
    b"null",
    b"[]",
    b'"\\u0000"',
    b'{"a": 1e999}',
    b"[" * 100_000,
    b'{"\\u0000": "\\ud800"}',
]


def credentials(login: str, password: str) -> list[str | bytes]:
    """Authorization headers that are wrong in every way a client can get one wrong."""

    def basic(raw: bytes) -> str:
        return "Basic " + base64.b64encode(raw).decode()

    return [
        basic(f"{login}\x00:{password}".encode()),
        basic(b"\x00:x"),
        basic(f"{login}:{password}\x00".encode()),
        basic(b"\xff\xfe:\xff"),
        basic(b"no-colon"),
        basic(b"x" * 10240 + b":y"),
        "Basic ====",
        "Basic !!!",
        "Basic",
        "Bearer",
        "Bearer " + "x" * 10240,
        b"Basic \xe9\xe9",
        "Digest username=x",
    ]


@dataclass
class Target:
    """One API on a live server: where it is, how to log in, which ids are real."""

    base_url: str
    headers: dict[str, str]
    ids: dict[str, str]
    error_keys: set[str]
    hostile_headers: dict[str, list[str | bytes]] = field(default_factory=dict)
    #: Fields that make an operation's body one the server acts on, by "METHOD /path".
    bodies: dict[str, dict[str, object]] = field(default_factory=dict)


def sigfox_target(server: LiveServer, ready: Fleet) -> Target:
    login, password = ready.tenant.auth
    ids = {
        "device_type_id": ready.device_type_id,
        "device_id": ready.device_ids[0],
        "group_id": ready.tenant.group_id,
        "year": "2026",
    }
    return Target(
        f"{server.url}/api",
        {"Authorization": httpx.BasicAuth(login, password)._auth_header},
        ids,
        {"message"},
        {"Authorization": credentials(login, password)},
        {
            "POST /devicetypes/edit": {
                "id": ready.device_type_id,
                "name": "Sensor",
                "description": "Edited",
                "keepAlive": 3600,
            },
            "POST /devices/{device_id}/downlinks": {"data": "deadbeefcafebabe"},
        },
    )


def soracom_target(server: LiveServer) -> Target:
    acme = operator(server, "Hostile")

    def make(conn: Any) -> str:
        device_type = storage_device_types.create(conn, acme.group_id, "Sensor")
        storage_devices.create(conn, "1D000", device_type.id, "0" * 16)
        return config_groups.create(conn, acme.operator_id, {"name": "g"}, {}).id

    group_id = server.write(make)
    body = httpx.post(
        f"{server.url}/v1/auth", json={"authKeyId": acme.auth_key_id, "authKey": acme.auth_key}
    ).json()
    tokens = {"X-Soracom-API-Key": body["apiKey"], "X-Soracom-Token": body["token"]}
    wrong: list[str | bytes] = ["", "x" * 10240, b"\xe9\xff", body["token"] + "x"]
    return Target(
        f"{server.url}/v1",
        tokens,
        {
            "device_id": "1D000",
            "group_id": group_id,
            "resource_type": "SigfoxDevice",
            "resource_id": "1D000",
            "namespace": "SoracomHarvest",
            "tag_name": "name",
        },
        {"code", "message"},
        {name: wrong for name in tokens},
        {
            "POST /auth": {"authKeyId": acme.auth_key_id, "authKey": acme.auth_key},
            "POST /sigfox_devices/{device_id}/set_group": {"groupId": group_id},
            "POST /sigfox_devices/{device_id}/data": {"data": "deadbeefcafebabe"},
            "POST /sigfox_devices/{device_id}/register": {"registrationSecret": "0" * 16},
            "POST /groups": {"tags": {"name": "g2"}},
        },
    )


def network_target(server: LiveServer, ready: Fleet, path: str) -> Target:
    login, password = ready.tenant.auth
    if path == "/uplinks":
        authorization = f"Bearer {ready.stations[0][1]}"
    else:
        authorization = httpx.BasicAuth(login, password)._auth_header
    frame = {"device": ready.device_ids[0], "seqNumber": 1, "data": "0102"}
    return Target(
        f"{server.url}/network",
        {"Authorization": authorization},
        {},
        {"code", "message"},
        {"Authorization": credentials(login, password)},
        {
            "POST /uplinks": {**frame, "time": now_ms(), "rssi": -100.0, "snr": 10.0},
            "POST /sigfox/uplinks": {**frame, "time": now_ms() // 1000},
        },
    )


BASELINE = settings(
    derandomize=True,
    database=None,
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def baseline(case_strategy: Any) -> Case:
    """The simplest request the document accepts, the same on every run."""
    return find(case_strategy, lambda _: True, settings=BASELINE)


def url_values() -> Iterator[tuple[str, str]]:
    """Hostile values for a path or query field: (label, text as written into the URL)."""
    for value in [*STRINGS, *(str(n) for n in INTEGERS), *NUMERIC_TEXT]:
        yield repr(value[:40]), quote(value, safe="", errors="surrogatepass")
    for raw in RAW_ESCAPES:
        yield raw, raw


def body_values() -> Iterator[object]:
    yield from STRINGS
    yield from INTEGERS
    yield from FLOATS
    yield from WRONG_TYPES


def body_fields(document: dict[str, Any], schema: dict[str, Any] | None) -> set[str]:
    """The properties a request body's schema declares, following references."""
    seen: set[str] = set()
    stack = [schema] if schema else []
    while stack:
        node = stack.pop()
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = document["components"]["schemas"][name]
        seen.update(node.get("properties", {}))
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend(node.get(key, []))
    return seen


@dataclass
class Walk:
    """Sends one request per hostile value and holds each answer to the rules."""

    client: httpx.Client
    target: Target
    case: Case
    failures: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.case.method.upper()} {self.case.operation.path}"

    def send(
        self,
        label: str,
        *,
        path: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str | bytes] | None = None,
        content: bytes | None = None,
    ) -> None:
        path_values = {
            name: quote(str(value), safe="")
            for name, value in (self.case.path_parameters or {}).items()
        }
        path_values.update({k: v for k, v in self.target.ids.items() if k in path_values})
        path_values.update(path or {})
        url = self.case.operation.path.format(**path_values)
        pairs = {
            name: quote(str(value).lower() if isinstance(value, bool) else str(value), safe="")
            for name, value in (self.case.query or {}).items()
        }
        pairs.update(query or {})
        if pairs:
            url += "?" + "&".join(f"{name}={value}" for name, value in pairs.items())
        sent: dict[str, str | bytes] = dict(self.target.headers)
        sent.update(headers or {})
        if content is None and self.case.operation.body:
            body = self.case.body
            if isinstance(body, dict) or body is None:
                body = {**(body or {}), **self.target.bodies.get(self.label, {})}
            content = json.dumps(body).encode()
        if content is not None:
            sent["Content-Type"] = "application/json"
        try:
            response = self.client.request(
                self.case.method, self.target.base_url + url, headers=sent, content=content
            )
        except httpx.HTTPError as error:
            self.failures.append(f"{label}: no answer ({error!r})")
            return
        problem = judge(response, self.target.error_keys)
        if problem:
            self.failures.append(f"{label}: {problem}")

    def run(self, document: dict[str, Any]) -> None:
        self.send("the baseline")
        for name in self.case.path_parameters or {}:
            for label, value in url_values():
                self.send(f"path {name}={label}", path={name: value})
        declared = [p.name for p in self.case.operation.iter_parameters() if p.location == "query"]
        for name in declared:
            for label, value in url_values():
                self.send(f"query {name}={label}", query={name: value})
        for name, values in self.target.hostile_headers.items():
            for value in values:
                self.send(f"header {name}={value[:40]!r}", headers={name: value})
        if self.case.operation.body:
            self.walk_body(document)

    def walk_body(self, document: dict[str, Any]) -> None:
        for raw in BODIES:
            self.send(f"body {raw[:20]!r}", content=raw)
        base = self.case.body if isinstance(self.case.body, dict) else {}
        base = {**base, **self.target.bodies.get(self.label, {})}
        raw_operation = self.case.operation.definition.raw
        schema = (
            raw_operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        for name in sorted(set(base) | body_fields(document, schema)):
            for value in body_values():
                body = {**base, name: value}
                self.send(
                    f"body {name}={value!r:.40}",
                    content=json.dumps(body).encode("utf-8", "surrogatepass"),
                )


def judge(response: httpx.Response, error_keys: set[str]) -> str | None:
    """What is wrong with an answer to a hostile request, if anything."""
    if response.status_code >= 500:
        return f"{response.status_code} {response.text[:200]}"
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} is not JSON: {response.text[:200]}"
    if not isinstance(body, dict) or set(body) != error_keys:
        return f"{response.status_code} is not the API's error shape: {response.text[:200]}"
    if not all(isinstance(body[key], str) and body[key] for key in error_keys):
        return f"{response.status_code} has an empty field: {response.text[:200]}"
    return None


def operations(schema: OpenApiSchema) -> list[Any]:
    return [
        pytest.param(result.ok(), id=f"{result.ok().method.upper()} {result.ok().path}")
        for result in schema.get_all_operations()
    ]


def walk(target: Target, schema: OpenApiSchema, operation: Any) -> None:
    case = baseline(operation.as_strategy())
    with httpx.Client(timeout=30) as client:
        run = Walk(client, target, case)
        run.run(schema.raw_schema)
    assert not run.failures, "\n".join(run.failures[:30])


@pytest.mark.parametrize("operation", operations(sigfox_schema))
def test_sigfox_v1_api_survives_hostile_input(server: LiveServer, operation: Any) -> None:
    walk(sigfox_target(server, fleet(server)), sigfox_schema, operation)


@pytest.mark.parametrize("operation", operations(soracom_schema))
def test_soracom_api_survives_hostile_input(server: LiveServer, operation: Any) -> None:
    walk(soracom_target(server), soracom_schema, operation)


@pytest.mark.parametrize("operation", operations(network_schema))
def test_network_api_survives_hostile_input(server: LiveServer, operation: Any) -> None:
    ready = fleet(server, payload_config="temperature::int:16 humidity::uint:8")
    walk(network_target(server, ready, operation.path), network_schema, operation)
