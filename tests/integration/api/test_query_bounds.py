"""Every integer time or paging parameter of the Sigfox v1 and Soracom APIs, given numbers no
64-bit column holds (or below its range): a 400 in that API's error shape naming the parameter,
or the page the document says a too large value gets; never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.api.soracom.conftest import Account, open_account
from tests.support.server import LiveServer

VALUES = [-1, -(2**63), 2**63 - 1, 2**63, 2**64, 10**20]


@pytest.fixture
def account(server: LiveServer) -> Account:
    return open_account(server, devices=1)


def sigfox_error(response: httpx.Response, param: str) -> str | None:
    """What is wrong with ``response`` as seed 002's 400 for ``param``; None if nothing."""
    if response.status_code != 400:
        return f"{response.status_code} {response.text}"
    body = response.json()
    if set(body) != {"message"} or param not in body["message"]:
        return f"body {body}"
    return None


def soracom_error(response: httpx.Response, param: str) -> str | None:
    """What is wrong with ``response`` as Soracom's 400 for ``param``; None if nothing."""
    if response.status_code != 400:
        return f"{response.status_code} {response.text}"
    body = response.json()
    if set(body) != {"code", "message"} or param not in body["message"]:
        return f"body {body}"
    if not (body["code"][:3].isalpha() and body["code"][3:].isdigit()):
        return f"code {body['code']}"
    return None


def test_sigfox_v1_time_and_paging_parameters_out_of_range_are_400(
    client: httpx.Client, account: Account
) -> None:
    made = account.fleet
    auth = made.tenant.auth
    device, device_type = made.device_ids[0], made.device_type_id
    [callback] = client.get(f"/api/devicetypes/{device_type}/callbacks", auth=auth).json()["data"]
    paged = ["limit", "offset"]
    in_time = [*paged, "before", "since"]
    gets: dict[str, list[str]] = {
        f"/api/devicetypes/{device_type}/messages": in_time,
        f"/api/devices/{device}/messages": in_time,
        f"/api/devices/{device}/locations": in_time,
        f"/api/devicetypes/{device_type}/devices": [*paged, "snr"],
        "/api/groups": paged,
        "/api/users": paged,
        "/api/callbacks/messages/error": in_time,
        f"/api/devicetypes/{device_type}/status/error": in_time,
        f"/api/devicetypes/{device_type}/status/warn": in_time,
        f"/api/devices/{device}/status/error": in_time,
        f"/api/devices/{device}/status/warn": in_time,
        f"/api/devices/{device}/downlinks": ["limit"],
    }
    wrong: list[tuple[str, str, int, str]] = []
    for path, params in gets.items():
        for param in params:
            for value in VALUES:
                problem = sigfox_error(client.get(path, params={param: value}, auth=auth), param)
                if problem:
                    wrong.append((path, param, value, problem))
    replay = f"/api/devicetypes/{device_type}/callbacks/{callback['id']}/replay"
    for param in ("since", "before"):
        for value in VALUES:
            asked = {"since": 0, param: value}
            problem = sigfox_error(client.post(replay, params=asked, auth=auth), param)
            if problem:
                wrong.append((replay, param, value, problem))
    for value in VALUES:
        path = f"/api/device/{device}/consumptions/{value}"
        problem = sigfox_error(client.get(path, auth=auth), "year")
        if problem:
            wrong.append((path, "year", value, problem))
    assert wrong == []


def test_soracom_time_and_paging_parameters_out_of_range_are_400_or_a_capped_page(
    client: httpx.Client, account: Account
) -> None:
    device = account.fleet.device_ids[0]
    entries = [f"/v1/data/SigfoxDevice/{device}", f"/v1/sigfox_devices/{device}/data"]
    by_id = ["/v1/sigfox_devices", "/v1/groups", "/v1/data/resources"]
    served: list[tuple[str, str, int]] = []
    refused: list[tuple[str, str, int]] = []
    for value in VALUES:
        for path in entries:
            refused += [(path, "from", value), (path, "to", value), (path, "limit", value)]
            # A key is a stored time, which may be any a 64-bit column holds.
            key = served if -(2**63) <= value < 2**63 else refused
            key.append((path, "last_evaluated_key", value))
        for path in by_id:
            # A limit above the most a page holds is served as that most (seed 000).
            (served if value > 0 else refused).append((path, "limit", value))
            # The key of a list by id is an id: any text is a place in the order.
            served.append((path, "last_evaluated_key", value))
    wrong: list[tuple[str, str, int, Any]] = []
    for path, param, value in served:
        response = client.get(path, params={param: value}, headers=account.headers)
        # A page of the list: a JSON array, not an error body.
        if response.status_code != 200 or not isinstance(response.json(), list):
            wrong.append((path, param, value, response.text))
    for path, param, value in refused:
        response = client.get(path, params={param: value}, headers=account.headers)
        problem = soracom_error(response, param)
        if problem:
            wrong.append((path, param, value, problem))
    assert wrong == []


@pytest.mark.parametrize("path", ["/v1/data/SigfoxDevice/F000", "/v1/sigfox_devices/F000/data"])
def test_harvest_periods_reach_as_far_as_a_query_can(
    client: httpx.Client, account: Account, path: str
) -> None:
    """The largest ``to`` is 2^53, JavaScript's last safe integer and one more."""
    answer = client.get(path, params={"from": 0, "to": 2**53}, headers=account.headers)
    assert answer.status_code == 200
    assert answer.json() == []
