from __future__ import annotations

from typing import Any

import httpx
import pytest

from foxden.domain.device_types import DeviceType, DownlinkMode, PayloadType
from foxden.storage import device_types
from tests.support.factories import Tenant, tenant
from tests.support.server import LiveServer

CONTRACT = "523b1d10d777d3f5ae038a02"
CONFIG = "temp::int:16:big-endian hum::uint:8"


@pytest.fixture
def acme(server: LiveServer) -> Tenant:
    return tenant(server, "Acme")


def make(server: LiveServer, group_id: str, name: str = "Sensor", **values: Any) -> DeviceType:
    return server.write(lambda conn: device_types.create(conn, group_id, name, **values))


def stored(server: LiveServer, device_type_id: str) -> DeviceType:
    found = server.read(device_types.get, device_type_id)
    assert found is not None
    return found


def shape(device_type: DeviceType) -> dict[str, Any]:
    """The seed 002 record of a device type that has only the minimal fields set."""
    return {
        "id": device_type.id,
        "name": device_type.name,
        "group": device_type.group_id,
        "keepAlive": device_type.keep_alive,
        "payloadType": device_type.payload_type.value,
        "downlinkMode": int(device_type.downlink_mode),
    }


def test_information_has_every_set_field(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(
        server,
        acme.group_id,
        "Meter",
        description="Little things in the black boxes",
        keep_alive=7200,
        payload_type=PayloadType.CUSTOM,
        payload_config=CONFIG,
        downlink_mode=DownlinkMode.DIRECT,
        downlink_data_string="deadbeefcafebabe",
        alert_email="alert@example.com",
        contract_id=CONTRACT,
    )
    response = client.get(f"/api/devicetypes/{made.id}", auth=acme.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "id": made.id,
        "name": "Meter",
        "group": acme.group_id,
        "description": "Little things in the black boxes",
        "keepAlive": 7200,
        "payloadType": "Custom",
        "payloadConfig": CONFIG,
        "contract": CONTRACT,
        "downlinkMode": 0,
        "downlinkDataString": "deadbeefcafebabe",
        "alertEmail": "alert@example.com",
    }


def test_empty_fields_and_a_config_of_another_payload_type_are_left_out(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(server, acme.group_id, payload_type=PayloadType.STRING, payload_config=CONFIG)
    body = client.get(f"/api/devicetypes/{made.id}", auth=acme.auth).json()
    assert body == {**shape(made), "payloadType": "String"}


def test_list_holds_the_groups_device_types_by_id(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = [make(server, acme.group_id, f"Type {n}") for n in range(3)]
    child = tenant(server, "Acme Water", parent_id=acme.group_id)
    make(server, child.group_id, "Child type")
    make(server, tenant(server, "Globex").group_id, "Other tenant's")
    response = client.get("/api/devicetypes", auth=acme.auth)
    assert response.status_code == 200
    assert response.json() == {"data": [shape(d) for d in sorted(made, key=lambda d: d.id)]}


def test_sub_groups_are_listed_on_request(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    own = make(server, acme.group_id, "Own")
    child = tenant(server, "Child", parent_id=acme.group_id)
    grandchild = tenant(server, "Grandchild", parent_id=child.group_id)
    below = [make(server, child.group_id, "Child's"), make(server, grandchild.group_id, "Deep")]
    make(server, tenant(server, "Globex").group_id, "Other tenant's")
    body = client.get("/api/devicetypes?includeSubGroups=true", auth=acme.auth).json()
    assert [d["id"] for d in body["data"]] == sorted(d.id for d in [own, *below])
    assert {d["group"] for d in body["data"]} == {
        acme.group_id,
        child.group_id,
        grandchild.group_id,
    }
    from_child = client.get("/api/devicetypes?includeSubGroups=true", auth=child.auth).json()
    assert [d["id"] for d in from_child["data"]] == sorted(d.id for d in below)
    not_asked = client.get("/api/devicetypes?includeSubGroups=false", auth=acme.auth).json()
    assert [d["id"] for d in not_asked["data"]] == [own.id]


def test_contract_filters_the_list(server: LiveServer, client: httpx.Client, acme: Tenant) -> None:
    under_contract = make(server, acme.group_id, "Paid", contract_id=CONTRACT)
    make(server, acme.group_id, "Other contract", contract_id="0" * 24)
    make(server, acme.group_id, "No contract")
    child = tenant(server, "Child", parent_id=acme.group_id)
    child_paid = make(server, child.group_id, "Child paid", contract_id=CONTRACT)
    body = client.get("/api/devicetypes", params={"contractInfoId": CONTRACT}, auth=acme.auth)
    assert body.json() == {"data": [{**shape(under_contract), "contract": CONTRACT}]}
    both = client.get(
        "/api/devicetypes",
        params={"contractInfoId": CONTRACT, "includeSubGroups": "true"},
        auth=acme.auth,
    ).json()
    assert [d["id"] for d in both["data"]] == sorted([under_contract.id, child_paid.id])


@pytest.mark.parametrize("query", ["includeSubGroups=perhaps", "contractInfoId=not-an-id"])
def test_bad_list_parameters_are_a_400_naming_them(
    client: httpx.Client, acme: Tenant, query: str
) -> None:
    response = client.get(f"/api/devicetypes?{query}", auth=acme.auth)
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["message"]


def test_a_child_groups_device_type_is_visible_not_a_parents_or_another_tenants(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = tenant(server, "Child", parent_id=acme.group_id)
    childs = make(server, child.group_id)
    parents = make(server, acme.group_id)
    others = make(server, tenant(server, "Globex").group_id)
    assert client.get(f"/api/devicetypes/{childs.id}", auth=acme.auth).status_code == 200
    assert client.get(f"/api/devicetypes/{parents.id}", auth=child.auth).status_code == 404
    response = client.get(f"/api/devicetypes/{others.id}", auth=acme.auth)
    assert response.status_code == 404
    assert response.json() == {"message": f"Device type {others.id} not found."}
    disengage = client.get(f"/api/devicetypes/{others.id}/disengage", auth=acme.auth)
    assert disengage.status_code == 404


@pytest.mark.parametrize("device_type_id", ["0" * 24, "nothex", "0" * 25])
def test_unknown_device_type_is_not_found(
    client: httpx.Client, acme: Tenant, device_type_id: str
) -> None:
    response = client.get(f"/api/devicetypes/{device_type_id}", auth=acme.auth)
    assert response.status_code == 404
    assert response.json() == {"message": f"Device type {device_type_id} not found."}


def edit(client: httpx.Client, owner: Tenant, body: dict[str, Any]) -> httpx.Response:
    return client.post("/api/devicetypes/edit", json=body, auth=owner.auth)


def test_edition_changes_every_field_given(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(server, acme.group_id, "Before", contract_id=CONTRACT)
    response = edit(
        client,
        acme,
        {
            "id": made.id,
            "name": "dtname",
            "description": "the description",
            "keepAlive": 3000,
            "alertEmail": "alert@email.com",
            "payloadType": "Custom",
            "payloadConfig": CONFIG,
            "downlinkMode": 1,
            "downlinkDataString": "DEADBEEF{time}",
            "somethingElse": "is ignored",
        },
    )
    assert response.status_code == 200
    assert response.content == b""
    after = stored(server, made.id)
    assert (after.name, after.description, after.keep_alive) == ("dtname", "the description", 3000)
    assert (after.payload_type, after.payload_config) == (PayloadType.CUSTOM, CONFIG)
    assert (after.downlink_mode, after.downlink_data_string) == (
        DownlinkMode.CALLBACK,
        "deadbeef{time}",
    )
    assert (after.alert_email, after.contract_id, after.group_id) == (
        "alert@email.com",
        CONTRACT,
        acme.group_id,
    )
    assert client.get(f"/api/devicetypes/{made.id}", auth=acme.auth).json() == {
        "id": made.id,
        "name": "dtname",
        "group": acme.group_id,
        "description": "the description",
        "keepAlive": 3000,
        "payloadType": "Custom",
        "payloadConfig": CONFIG,
        "contract": CONTRACT,
        "downlinkMode": 1,
        "downlinkDataString": "deadbeef{time}",
        "alertEmail": "alert@email.com",
    }


def test_fields_not_given_keep_their_value(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(
        server,
        acme.group_id,
        description="kept",
        keep_alive=60,
        payload_type=PayloadType.CUSTOM,
        payload_config=CONFIG,
        downlink_data_string="0011223344556677",
        alert_email="ops@example.com",
    )
    assert edit(client, acme, {"id": made.id, "name": "Renamed"}).status_code == 200
    assert stored(server, made.id) == DeviceType(
        **{**{f: getattr(made, f) for f in DeviceType.__slots__}, "name": "Renamed"}
    )


def test_null_clears_the_optional_fields(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(
        server, acme.group_id, downlink_data_string="0011223344556677", alert_email="a@b.co"
    )
    body = {"id": made.id, "downlinkDataString": None, "alertEmail": None, "payloadConfig": None}
    assert edit(client, acme, body).status_code == 200
    after = stored(server, made.id)
    assert (after.downlink_data_string, after.alert_email, after.payload_config) == (
        None,
        None,
        None,
    )


def test_seed_downlink_variables_are_accepted(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(server, acme.group_id)
    template = "{time}{tapId}{rssi}"
    assert edit(client, acme, {"id": made.id, "downlinkDataString": template}).status_code == 200
    assert stored(server, made.id).downlink_data_string == template


@pytest.mark.parametrize("minutes", [0, 30, 3000, 7200])
def test_keep_alive_is_zero_or_at_least_30_minutes(
    server: LiveServer, client: httpx.Client, acme: Tenant, minutes: int
) -> None:
    made = make(server, acme.group_id, keep_alive=120)
    assert edit(client, acme, {"id": made.id, "keepAlive": minutes}).status_code == 200
    assert client.get(f"/api/devicetypes/{made.id}", auth=acme.auth).json()["keepAlive"] == minutes


def test_custom_needs_a_payload_config(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    made = make(server, acme.group_id)
    response = edit(client, acme, {"id": made.id, "payloadType": "Custom"})
    assert response.status_code == 400
    assert "payloadConfig" in response.json()["message"]
    assert stored(server, made.id).payload_type is PayloadType.NONE
    assert edit(client, acme, {"id": made.id, "payloadConfig": CONFIG}).status_code == 200
    assert edit(client, acme, {"id": made.id, "payloadType": "Custom"}).status_code == 200
    cleared = edit(client, acme, {"id": made.id, "payloadConfig": None})
    assert cleared.status_code == 400
    assert stored(server, made.id).payload_config == CONFIG


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", "", "must not be empty"),
        ("name", "   ", "must not be empty"),
        ("name", "x" * 256, "at most 255"),
        ("name", None, "must not be null"),
        ("name", 42, "must be a string"),
        ("description", None, "must not be null"),
        ("keepAlive", 29, "0 or from 30"),
        ("keepAlive", -1, "0 or from 30"),
        ("keepAlive", 2**31, "0 or from 30"),
        ("keepAlive", "3000", "must be an integer"),
        ("keepAlive", 30.5, "must be an integer"),
        ("keepAlive", True, "must be an integer"),
        ("payloadType", "custom", "'Custom'"),
        ("payloadType", None, "must not be null"),
        ("payloadConfig", "temp::int:99", "position"),
        ("downlinkMode", 3, "0 (direct), 1 (callback) or 2"),
        ("downlinkMode", True, "must be an integer"),
        ("downlinkDataString", "deadbeef", "8 bytes"),
        ("downlinkDataString", "deadbeefcafebabg", "unexpected 'g' at position 15"),
        ("downlinkDataString", "{lat}{time}", "unknown variable {lat}"),
        ("alertEmail", "not an email", "invalid email"),
        ("alertEmail", "a@b", "invalid email"),
    ],
)
def test_bad_values_are_a_400_naming_the_field(
    server: LiveServer, client: httpx.Client, acme: Tenant, field: str, value: Any, says: str
) -> None:
    made = make(server, acme.group_id, "Untouched")
    response = edit(client, acme, {"id": made.id, field: value})
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith(f"{field}: "), message
    assert says in message
    assert stored(server, made.id) == made


def test_edition_needs_a_visible_id(server: LiveServer, client: httpx.Client, acme: Tenant) -> None:
    missing = edit(client, acme, {"name": "No id"})
    assert missing.status_code == 400
    assert "id" in missing.json()["message"]
    others = make(server, tenant(server, "Globex").group_id, "Theirs")
    response = edit(client, acme, {"id": others.id, "name": "Mine now"})
    assert response.status_code == 404
    assert response.json() == {"message": f"Device type {others.id} not found."}
    assert stored(server, others.id).name == "Theirs"
    assert edit(client, acme, {"id": "0" * 24, "name": "x"}).status_code == 404
    # Values are checked once the device type is known: an unknown one is a 404 regardless.
    assert edit(client, acme, {"id": others.id, "keepAlive": 5}).status_code == 404


def test_edition_reaches_a_child_groups_device_type(
    server: LiveServer, client: httpx.Client, acme: Tenant
) -> None:
    child = tenant(server, "Child", parent_id=acme.group_id)
    made = make(server, child.group_id)
    assert edit(client, acme, {"id": made.id, "keepAlive": 0}).status_code == 200
    assert edit(client, child, {"id": make(server, acme.group_id).id}).status_code == 404


def test_only_an_object_is_a_body(client: httpx.Client, acme: Tenant) -> None:
    response = client.post(
        "/api/devicetypes/edit",
        content=b"[1, 2]",
        headers={"content-type": "application/json"},
        auth=acme.auth,
    )
    assert response.status_code == 400
