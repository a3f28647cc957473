"""Soracom Harvest Data: the frames of devices whose group has Harvest on, read as entries."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from foxden.domain import linkstats
from foxden.domain.device_types import PayloadType
from foxden.storage import device_types
from tests.integration.api.soracom.conftest import Account, open_account
from tests.support.server import LiveServer
from tests.support.uplinks import BASE_TIME, uplink

NEXT = "x-soracom-next-key"


def harvest_group(soracom: httpx.Client, *, enabled: bool = True) -> str:
    """A new group with Harvest on or off; its id."""
    response = soracom.post(
        "/groups", json={"configuration": {"SoracomHarvest": {"enabled": enabled}}}
    )
    assert response.status_code == 201, response.text
    group_id: str = response.json()["groupId"]
    return group_id


def set_harvest(soracom: httpx.Client, group_id: str, value: Any) -> None:
    response = soracom.put(
        f"/groups/{group_id}/configuration/SoracomHarvest",
        json=[{"key": "enabled", "value": value}],
    )
    assert response.status_code == 200, response.text


def join(soracom: httpx.Client, account: Account, group_id: str, device: int = 0) -> None:
    device_id = account.fleet.device_ids[device]
    response = soracom.post(f"/sigfox_devices/{device_id}/set_group", json={"groupId": group_id})
    assert response.status_code == 200, response.text


def harvesting(soracom: httpx.Client, account: Account, *devices: int) -> str:
    """Put ``devices`` (default: the first) in a new group with Harvest on; its id."""
    group_id = harvest_group(soracom)
    for device in devices or (0,):
        join(soracom, account, group_id, device)
    return group_id


def entries(soracom: httpx.Client, device_id: str, **params: Any) -> list[dict[str, Any]]:
    response = soracom.get(f"/sigfox_devices/{device_id}/data", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def times(found: list[dict[str, Any]]) -> list[int]:
    return [entry["time"] - BASE_TIME for entry in found]


def contents(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(entry["content"]) for entry in found]


def followed(
    soracom: httpx.Client, path: str, *, follow_link: bool, **params: Any
) -> list[list[dict[str, Any]]]:
    """Every page of ``path`` followed to the end, by the next key or by the link header."""
    pages: list[list[dict[str, Any]]] = []
    response = soracom.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json())
        key = response.headers.get(NEXT)
        if key is None:
            assert "link" not in response.headers
            return pages
        if follow_link:
            link = response.headers["link"]
            assert link.endswith(">; rel=next") and f"last_evaluated_key={key}" in link
            response = soracom.get(link[1 : -len(">; rel=next")])
        else:
            response = soracom.get(path, params={**params, "last_evaluated_key": key})


def problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"} and body["message"]


def decode_payloads(server: LiveServer, account: Account, payload_config: str) -> None:
    """Give the account's device type a custom payload config."""

    def change(conn: Connection) -> None:
        found = device_types.get(conn, account.fleet.device_type_id)
        assert found is not None
        device_types.save(
            conn,
            dataclasses.replace(
                found, payload_type=PayloadType.CUSTOM, payload_config=payload_config
            ),
        )

    server.write(change)


def test_a_device_without_group_has_no_entries(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    uplink(client, account.fleet, seq=1)
    assert entries(soracom, "F000") == []


def test_a_group_with_harvest_off_writes_no_entries(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    join(soracom, account, harvest_group(soracom, enabled=False))
    uplink(client, account.fleet, seq=1)
    assert entries(soracom, "F000") == []


@pytest.mark.parametrize("value", ["false", "FALSE", "yes", 1, {"on": True}])
def test_only_true_or_its_text_turns_harvest_on(
    client: httpx.Client, soracom: httpx.Client, account: Account, value: Any
) -> None:
    group_id = harvest_group(soracom, enabled=False)
    join(soracom, account, group_id)
    set_harvest(soracom, group_id, value)
    uplink(client, account.fleet, seq=1)
    assert entries(soracom, "F000") == []


@pytest.mark.parametrize("value", ["true", "True", "TRUE"])
def test_a_string_true_turns_harvest_on_and_reads_back_as_written(
    client: httpx.Client, soracom: httpx.Client, account: Account, value: str
) -> None:
    group_id = harvest_group(soracom, enabled=False)
    join(soracom, account, group_id)
    set_harvest(soracom, group_id, value)
    uplink(client, account.fleet, seq=1, at=1000)
    assert times(entries(soracom, "F000")) == [1000]
    group = soracom.get(f"/groups/{group_id}").json()
    assert group["configuration"] == {"SoracomHarvest": {"enabled": value}}
    set_harvest(soracom, group_id, "False")
    uplink(client, account.fleet, seq=2, at=2000)
    assert times(entries(soracom, "F000")) == [1000]


def test_turning_harvest_on_and_off_writes_only_the_frames_in_between(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    group_id = harvest_group(soracom, enabled=False)
    join(soracom, account, group_id)
    uplink(client, account.fleet, seq=1, at=1000)
    set_harvest(soracom, group_id, True)
    uplink(client, account.fleet, seq=2, at=2000)
    uplink(client, account.fleet, seq=3, at=3000)
    set_harvest(soracom, group_id, False)
    uplink(client, account.fleet, seq=4, at=4000)
    found = entries(soracom, "F000")
    assert times(found) == [3000, 2000]
    assert [content["seqNumber"] for content in contents(found)] == ["3", "2"]


def test_leaving_the_group_stops_harvest_and_keeps_the_entries(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1, at=1000)
    assert soracom.post("/sigfox_devices/F000/unset_group").status_code == 200
    uplink(client, account.fleet, seq=2, at=2000)
    assert times(entries(soracom, "F000")) == [1000]


def test_entry_describes_the_frame(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=42, data="0aff", rssi=-120.0, at=1234)
    [entry] = entries(soracom, "F000")
    assert set(entry) == {"content", "contentType", "resourceId", "resourceType", "time"}
    assert entry["time"] == BASE_TIME + 1234
    assert entry["resourceType"] == "SigfoxDevice"
    assert entry["resourceId"] == "F000"
    assert entry["contentType"] == "application/json"
    quality = linkstats.link_quality(1, -120.0)
    assert quality is not None
    assert json.loads(entry["content"]) == {
        "device": "F000",
        "time": str((BASE_TIME + 1234) // 1000),
        "data": "0aff",
        "seqNumber": "42",
        "lqi": quality.value.title(),
        "operatorName": "foxden",
    }


def test_entry_carries_decoded_fields_when_the_type_decodes_payloads(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    decode_payloads(server, account, "temperature::int:16")
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1, data="00ff")
    [content] = contents(entries(soracom, "F000"))
    assert content["temperature"] == 255
    assert content["binaryParserEnabled"] is True
    assert content["data"] == "00ff"


def test_entry_carries_the_fields_a_short_frame_holds_and_text_as_latin_1(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    decode_payloads(server, account, "label::char:3 n::uint:16 flag::bool:0")
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1, data="4100e9ff")
    [entry] = entries(soracom, "F000")
    assert '"label":"A\\u0000\\u00e9"' in entry["content"]
    content = json.loads(entry["content"])
    assert {k: content[k] for k in ("label", "n", "binaryParserEnabled")} == {
        "label": "A\x00é",
        "n": 0xFF,
        "binaryParserEnabled": True,
    }
    assert "flag" not in content


def test_from_and_to_are_inclusive_milliseconds(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    for seq in range(1, 6):
        uplink(client, account.fleet, seq=seq, at=seq * 1000)
    found = entries(soracom, "F000", **{"from": BASE_TIME + 2000, "to": BASE_TIME + 4000})
    assert times(found) == [4000, 3000, 2000]
    found = entries(soracom, "F000", **{"from": BASE_TIME + 2001, "to": BASE_TIME + 3999})
    assert times(found) == [3000]


def test_sort_orders_and_default_limit(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    for seq in range(1, 13):
        uplink(client, account.fleet, seq=seq, at=seq * 1000)
    assert times(entries(soracom, "F000")) == [n * 1000 for n in range(12, 2, -1)]
    assert times(entries(soracom, "F000", sort="asc")) == [n * 1000 for n in range(1, 11)]
    assert times(entries(soracom, "F000", sort="asc", limit=1000)) == [
        n * 1000 for n in range(1, 13)
    ]
    assert times(entries(soracom, "F000", sort="desc", limit=1)) == [12000]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1001},
        {"sort": "up"},
        {"from": -1},
        {"last_evaluated_key": "abc"},
        {"last_evaluated_key": "12.x"},
        {"last_evaluated_key": "9" * 19},
    ],
)
def test_out_of_range_or_malformed_parameters_are_400(
    soracom: httpx.Client, params: dict[str, Any]
) -> None:
    problem(soracom.get("/sigfox_devices/F000/data", params=params), 400)


@pytest.mark.parametrize("sort", ["asc", "desc"])
@pytest.mark.parametrize("follow_link", [False, True], ids=["next_key", "link"])
def test_paging_returns_each_entry_once_even_within_one_millisecond(
    client: httpx.Client, soracom: httpx.Client, account: Account, sort: str, follow_link: bool
) -> None:
    harvesting(soracom, account)
    at = [1000, 2000, 2000, 2000, 2000, 2000, 3000, 4000, 4000]
    for seq, offset in enumerate(at, start=1):
        uplink(client, account.fleet, seq=seq, at=offset)
    pages = followed(
        soracom, "/sigfox_devices/F000/data", follow_link=follow_link, sort=sort, limit=2
    )
    assert [len(page) for page in pages] == [2, 2, 2, 2, 1]
    found = [entry for page in pages for entry in page]
    seqs = [int(content["seqNumber"]) for content in contents(found)]
    assert sorted(seqs) == list(range(1, len(at) + 1))
    expected = sorted(at, reverse=sort == "desc")
    assert times(found) == expected


def test_next_key_is_the_last_time_when_no_tie_follows(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    for seq in range(1, 4):
        uplink(client, account.fleet, seq=seq, at=seq * 1000)
    response = soracom.get("/sigfox_devices/F000/data", params={"limit": 2})
    assert response.headers[NEXT] == str(BASE_TIME + 2000)
    last = soracom.get(
        "/sigfox_devices/F000/data", params={"limit": 2, "last_evaluated_key": BASE_TIME + 2000}
    )
    assert times(last.json()) == [1000]
    assert NEXT not in last.headers


def test_data_of_a_sigfox_device_resource_is_the_devices_data(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    for seq in range(1, 4):
        uplink(client, account.fleet, seq=seq, at=seq * 1000)
    params: dict[str, str | int] = {"limit": 2, "sort": "asc"}
    by_resource = soracom.get("/data/SigfoxDevice/F000", params=params)
    by_device = soracom.get("/sigfox_devices/F000/data", params=params)
    assert by_resource.status_code == 200, by_resource.text
    assert by_resource.json() == by_device.json()
    assert len(by_resource.json()) == 2
    assert by_resource.headers[NEXT] == by_device.headers[NEXT]


@pytest.mark.parametrize("resource_type", ["Subscriber", "Sim", "LoraDevice", "Device"])
def test_other_resource_types_are_not_found(
    client: httpx.Client, soracom: httpx.Client, account: Account, resource_type: str
) -> None:
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1)
    problem(soracom.get(f"/data/{resource_type}/F000"), 404)


def test_an_unknown_resource_type_is_400(soracom: httpx.Client) -> None:
    problem(soracom.get("/data/Nope/F000"), 400)


def test_unknown_and_another_operators_device_are_404(
    server: LiveServer, client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1)
    problem(soracom.get("/sigfox_devices/FFFFFF/data"), 404)
    other = open_account(server, devices=0)
    with httpx.Client(base_url=f"{server.url}/v1", headers=other.headers) as stranger:
        problem(stranger.get("/sigfox_devices/F000/data"), 404)
        problem(stranger.get("/data/SigfoxDevice/F000"), 404)
        assert stranger.get("/data/resources").json() == []


def test_resources_list_devices_with_entries_and_their_last_time(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account, 0, 2)
    uplink(client, account.fleet, seq=1, device=0, at=1000)
    uplink(client, account.fleet, seq=2, device=0, at=5000)
    uplink(client, account.fleet, seq=1, device=1, at=6000)
    uplink(client, account.fleet, seq=1, device=2, at=7000)
    response = soracom.get("/data/resources")
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "resourceId": "F000",
            "resourceType": "SigfoxDevice",
            "lastModifiedTime": BASE_TIME + 5000,
        },
        {
            "resourceId": "F002",
            "resourceType": "SigfoxDevice",
            "lastModifiedTime": BASE_TIME + 7000,
        },
    ]
    assert NEXT not in response.headers
    typed = soracom.get("/data/resources", params={"resource_type": "SigfoxDevice"})
    assert typed.json() == response.json()


def test_resources_last_time_is_the_latest_entry_even_out_of_order(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1, at=5000)
    uplink(client, account.fleet, seq=2, at=1000)
    [resource] = soracom.get("/data/resources").json()
    assert resource["lastModifiedTime"] == BASE_TIME + 5000
    assert times(entries(soracom, "F000")) == [5000, 1000]


@pytest.mark.parametrize("follow_link", [False, True], ids=["next_key", "link"])
def test_resources_page_by_device(
    client: httpx.Client, soracom: httpx.Client, account: Account, follow_link: bool
) -> None:
    harvesting(soracom, account, 0, 1, 2)
    for device in range(3):
        uplink(client, account.fleet, seq=1, device=device, at=device * 1000)
    pages = followed(soracom, "/data/resources", follow_link=follow_link, limit=2)
    assert [[item["resourceId"] for item in page] for page in pages] == [
        ["F000", "F001"],
        ["F002"],
    ]


def test_resources_of_another_type_are_empty(
    client: httpx.Client, soracom: httpx.Client, account: Account
) -> None:
    harvesting(soracom, account)
    uplink(client, account.fleet, seq=1)
    response = soracom.get("/data/resources", params={"resource_type": "Subscriber"})
    assert response.status_code == 200, response.text
    assert response.json() == []
