"""Times stored before frames' times were bounded, at the ends of what a 64-bit column holds,
are still read by every API: whole lists and pages, dates shown as the nearest a date can be,
never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, select

from foxden.domain.messages import Reception
from foxden.domain.uplinks import FrameKind
from foxden.storage import devices, messages, tables
from tests.integration.api.soracom.conftest import Account, open_account
from tests.support.server import LiveServer
from tests.support.uplinks import BASE_TIME

FAR_AHEAD = 2**63 - 1
YEAR_10000 = 253_402_300_800_000
FAR_BEFORE = -(2**63)
LAST_DATE = datetime(9999, 12, 30, 23, 59, 59, 999_000, tzinfo=UTC)
FIRST_DATE = datetime(1, 1, 2, tzinfo=UTC)
# The times of F000's messages, newest first, and F001's one.
AHEAD_TIMES = [FAR_AHEAD, YEAR_10000, BASE_TIME]


@pytest.fixture
def account(server: LiveServer) -> Account:
    made = open_account(server, devices=2)

    def store(conn: Connection, device: int, time: int) -> None:
        messages.create(
            conn,
            device_id=made.fleet.device_ids[device],
            device_type_id=made.fleet.device_type_id,
            time=time,
            seq_number=1,
            kind=FrameKind.DATA,
            data="0102",
            ack=False,
            reception=Reception(made.fleet.stations[0][0], -120.0, 10.0, time),
            link_quality=None,
            forwarded=True,
            harvested=True,
        )

    def write(conn: Connection) -> None:
        for device, extreme, times in ((0, FAR_AHEAD, AHEAD_TIMES), (1, FAR_BEFORE, [FAR_BEFORE])):
            for time in times:
                store(conn, device, time)
            devices.update_state(
                conn,
                made.fleet.device_ids[device],
                last_seen_at=extreme,
                modified_at=extreme,
                harvested_at=extreme,
            )

    server.write(write)
    return made


def get(client: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return response


def sigfox_pages(client: httpx.Client, path: str, auth: tuple[str, str]) -> list[list[int]]:
    """The times of every page of a Sigfox v1 list, its next links followed to the end."""
    pages = []
    body = get(client, path, params={"limit": 1}, auth=auth).json()
    while True:
        pages.append([item["time"] for item in body["data"]])
        if "paging" not in body:
            return pages
        body = get(client, body["paging"]["next"], auth=auth).json()


def test_sigfox_v1_devices_and_messages_read_any_stored_time(
    client: httpx.Client, account: Account
) -> None:
    made, auth = account.fleet, account.fleet.tenant.auth
    ahead, before = made.device_ids
    assert get(client, f"/api/devices/{ahead}", auth=auth).json()["last"] == FAR_AHEAD // 1000
    assert get(client, f"/api/devices/{before}", auth=auth).json()["last"] == FAR_BEFORE // 1000
    seconds = [[time // 1000] for time in AHEAD_TIMES]
    assert sigfox_pages(client, f"/api/devices/{ahead}/messages", auth) == seconds
    assert sigfox_pages(client, f"/api/devices/{ahead}/locations", auth) == [
        [time] for time in AHEAD_TIMES
    ]
    assert sigfox_pages(client, f"/api/devicetypes/{made.device_type_id}/messages", auth) == [
        *seconds,
        [FAR_BEFORE // 1000],
    ]


def test_soracom_devices_show_dates_at_the_ends_of_what_a_date_can_be(
    client: httpx.Client, account: Account
) -> None:
    ahead, before = account.fleet.device_ids
    listed = get(client, "/v1/sigfox_devices", headers=account.headers).json()
    one = get(client, f"/v1/sigfox_devices/{ahead}", headers=account.headers).json()
    assert listed[0] == one
    shown = {
        device["device_id"]: (
            datetime.fromisoformat(device["lastSeen"]["time"]),
            datetime.fromisoformat(device["lastModifiedTime"]),
        )
        for device in listed
    }
    assert shown == {ahead: (LAST_DATE, LAST_DATE), before: (FIRST_DATE, FIRST_DATE)}


@pytest.mark.parametrize("path", ["/v1/data/SigfoxDevice/{id}", "/v1/sigfox_devices/{id}/data"])
def test_harvest_reads_and_pages_any_stored_time(
    client: httpx.Client, account: Account, path: str
) -> None:
    ahead, before = account.fleet.device_ids
    url = path.format(id=ahead)
    seen = []
    response = get(client, url, params={"limit": 1}, headers=account.headers)
    while True:
        [entry] = response.json()
        seen.append((entry["time"], entry["content"]))
        key = response.headers.get("x-soracom-next-key")
        if key is None:
            break
        asked = {"limit": 1, "last_evaluated_key": key}
        response = get(client, url, params=asked, headers=account.headers)
    assert [time for time, _ in seen] == AHEAD_TIMES
    assert f'"time":"{FAR_AHEAD // 1000}"' in seen[0][1]
    [entry] = get(client, path.format(id=before), headers=account.headers).json()
    assert entry["time"] == FAR_BEFORE
    ascending = get(client, url, params={"sort": "asc", "from": 0}, headers=account.headers)
    assert [entry["time"] for entry in ascending.json()] == AHEAD_TIMES[::-1]


def test_harvest_resources_read_any_stored_time(client: httpx.Client, account: Account) -> None:
    ahead, before = account.fleet.device_ids
    found = get(client, "/v1/data/resources", headers=account.headers).json()
    assert [(r["resourceId"], r["lastModifiedTime"]) for r in found] == [
        (ahead, FAR_AHEAD),
        (before, FAR_BEFORE),
    ]


def test_a_new_keep_alive_rearms_what_it_can(
    server: LiveServer, client: httpx.Client, account: Account
) -> None:
    """A device last seen at the end of time keeps its watch; the others are rearmed."""
    made = account.fleet
    answer = client.post(
        "/api/devicetypes/edit",
        json={"id": made.device_type_id, "keepAlive": 60},
        auth=made.tenant.auth,
    )
    assert answer.status_code == 200, answer.text
    watches = server.read(
        lambda conn: dict(
            conn.execute(select(tables.devices.c.id, tables.devices.c.silence_at)).all()
        )
    )
    ahead, before = made.device_ids
    assert watches == {ahead: None, before: FAR_BEFORE + 60 * 60_000}
