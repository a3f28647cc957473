from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from foxden.config import Settings
from foxden.domain.clock import now_ms
from foxden.domain.devices import days_of_year
from tests.support.factories import Fleet, Tenant, fleet, owned_devices, tenant
from tests.support.server import LiveServer

EXPIRY_S = 600
DEFAULT_DATA = "cafe0000cafe0000"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, demo=False, downlink_expiry_s=EXPIRY_S)


@pytest.fixture
def made(server: LiveServer) -> Fleet:
    return fleet(server, stations=1, callbacks=())


@pytest.fixture
def start() -> int:
    """The time of the test's first frame: now, so that queued downlinks have not expired."""
    return now_ms()


class Device:
    """The fleet's device as its owner's API client and its station see it."""

    def __init__(self, client: httpx.Client, made: Fleet) -> None:
        self.client = client
        self.made = made
        self.id = made.device_ids[0]
        self.path = f"/api/devices/{self.id}/downlinks"
        self.seq = 0

    def queue(self, body: dict[str, Any], who: Tenant | None = None) -> httpx.Response:
        return self.client.post(self.path, json=body, auth=(who or self.made.tenant).auth)

    def queued(self, data: str, **fields: Any) -> dict[str, Any]:
        response = self.queue({"data": data, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def listing(self, **params: Any) -> list[dict[str, Any]]:
        response = self.client.get(self.path, params=params, auth=self.made.tenant.auth)
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"data"}
        items: list[dict[str, Any]] = response.json()["data"]
        return items

    def get(self, downlink_id: str) -> dict[str, Any]:
        response = self.client.get(f"{self.path}/{downlink_id}", auth=self.made.tenant.auth)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def cancel(self, downlink_id: str, who: Tenant | None = None) -> httpx.Response:
        return self.client.delete(f"{self.path}/{downlink_id}", auth=(who or self.made.tenant).auth)

    def frame(
        self, time: int, *, ack: bool = False, oob: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Post the device's next frame from the fleet's station; the network API's answer."""
        self.seq += 1
        station_id, token = self.made.stations[0]
        body: dict[str, Any] = {
            "device": self.id,
            "seqNumber": self.seq,
            "data": "" if oob else "0102",
            "station": station_id,
            "rssi": -110.0,
            "snr": 12.0,
            "time": time,
            "ack": ack,
        }
        if oob is not None:
            body["oob"] = oob
        answer = self.client.post(
            "/network/uplinks", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
        accepted: dict[str, Any] = answer.json()
        return accepted

    def acknowledge(self, time: int, *, received: bool) -> None:
        answer = self.frame(time, oob={"kind": "acknowledge", "downlinkAck": received})
        assert "downlink" not in answer

    def direct_downlink(self, data: str) -> None:
        """Make the device type answer ``data`` when nothing is queued (downlinkMode 0)."""
        edited = self.client.post(
            "/api/devicetypes/edit",
            json={"id": self.made.device_type_id, "downlinkMode": 0, "downlinkDataString": data},
            auth=self.made.tenant.auth,
        )
        assert edited.status_code == 200, edited.text


@pytest.fixture
def device(client: httpx.Client, made: Fleet) -> Device:
    return Device(client, made)


def assert_error(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message"}
    assert all(word in body["message"] for word in words), body["message"]


def test_a_queued_downlink_reads_back_as_created(device: Device) -> None:
    before = now_ms()
    created = device.queued("DEADBEEFCAFEBABE")
    after = now_ms()

    assert created == {
        "id": created["id"],
        "device": device.id,
        "data": "deadbeefcafebabe",
        "state": "pending",
        "creationTime": created["creationTime"],
        "expirationTime": created["creationTime"] + EXPIRY_S * 1000,
    }
    assert isinstance(created["id"], str)
    assert before <= created["creationTime"] <= after
    assert device.get(created["id"]) == created
    assert device.listing() == [created]


def test_queued_downlinks_go_oldest_first_then_the_device_types_own(
    device: Device, start: int
) -> None:
    device.direct_downlink(DEFAULT_DATA)
    first = device.queued("DEADBEEFCAFEBABE")
    second = device.queued("0011223344556677", expiresAt=start + 3_600_000)

    answers = [device.frame(start + n * 1000, ack=True)["downlink"] for n in range(3)]

    assert answers == [
        {"status": "sent", "data": "deadbeefcafebabe"},
        {"status": "sent", "data": "0011223344556677"},
        {"status": "sent", "data": DEFAULT_DATA},
    ]
    assert bytes.fromhex(answers[0]["data"]) == bytes.fromhex("DEADBEEFCAFEBABE")
    assert device.listing() == [
        {**second, "state": "sent", "sentTime": start + 1000},
        {**first, "state": "sent", "sentTime": start},
    ]


def test_a_frame_without_ack_leaves_the_queue_alone(device: Device, start: int) -> None:
    queued = device.queued("0102030405060708")

    answer = device.frame(start)

    assert "downlink" not in answer
    assert device.get(queued["id"])["state"] == "pending"
    assert device.frame(start + 1000, ack=True)["downlink"] == {
        "status": "sent",
        "data": "0102030405060708",
    }


def test_an_empty_queue_leaves_the_answer_to_the_device_type(device: Device, start: int) -> None:
    # The fleet's device type answers directly but has no data: nothing queued, nothing to send.
    assert device.frame(start, ack=True)["downlink"] == {"status": "not_configured"}
    assert device.listing() == []


def test_a_downlink_past_its_expiry_is_not_sent(device: Device, start: int) -> None:
    device.direct_downlink(DEFAULT_DATA)
    expiring = device.queued("1111111111111111", expiresAt=start + 60_000)
    lasting = device.queued("2222222222222222")

    answer = device.frame(start + 60_000, ack=True)

    assert answer["downlink"] == {"status": "sent", "data": "2222222222222222"}
    listed = device.listing()
    assert [(d["id"], d["state"]) for d in listed] == [
        (lasting["id"], "sent"),
        (expiring["id"], "expired"),
    ]
    assert "sentTime" not in listed[1]
    assert "settledTime" in listed[1]
    assert device.get(expiring["id"]) == listed[1]
    assert_error(device.cancel(expiring["id"]), 404, expiring["id"])


def test_a_frame_after_every_expiry_gets_the_device_types_downlink(
    device: Device, start: int
) -> None:
    device.direct_downlink(DEFAULT_DATA)
    expiring = device.queued("1111111111111111", expiresAt=start + 60_000)

    answer = device.frame(start + 60_001, ack=True)

    assert answer["downlink"] == {"status": "sent", "data": DEFAULT_DATA}
    assert device.get(expiring["id"])["state"] == "expired"


def test_replace_mode_keeps_only_the_newest_waiting(device: Device, start: int) -> None:
    first = device.queued("1111111111111111", replace=True)
    second = device.queued("2222222222222222", replace=True)

    assert second["state"] == "pending"
    replaced = device.get(first["id"])
    assert replaced["state"] == "replaced"
    assert replaced["settledTime"] >= first["creationTime"]
    assert device.frame(start, ack=True)["downlink"] == {
        "status": "sent",
        "data": "2222222222222222",
    }
    # One already sent is no longer waiting: a replacing downlink queues behind nothing.
    third = device.queued("3333333333333333", replace=True)
    assert [(d["id"], d["state"]) for d in device.listing()] == [
        (third["id"], "pending"),
        (second["id"], "sent"),
        (first["id"], "replaced"),
    ]


def test_without_replace_a_second_downlink_queues_behind_the_first(
    device: Device, start: int
) -> None:
    first = device.queued("1111111111111111")
    second = device.queued("2222222222222222", replace=False)

    assert [d["state"] for d in device.listing()] == ["pending", "pending"]
    assert device.frame(start, ack=True)["downlink"]["data"] == first["data"]
    assert device.frame(start + 1000, ack=True)["downlink"]["data"] == second["data"]


def test_acknowledge_frames_settle_the_sent_downlink(device: Device, start: int) -> None:
    received = device.queued("1111111111111111")
    device.frame(start, ack=True)
    device.acknowledge(start + 1000, received=True)

    lost = device.queued("2222222222222222")
    device.frame(start + 2000, ack=True)
    device.acknowledge(start + 3000, received=False)

    acked, failed = device.get(received["id"]), device.get(lost["id"])
    assert (acked["state"], acked["sentTime"]) == ("acked", start)
    assert (failed["state"], failed["sentTime"]) == ("failed", start + 2000)
    assert "settledTime" in acked
    assert "settledTime" in failed


def test_an_acknowledge_frame_leaves_a_pending_downlink_pending(device: Device, start: int) -> None:
    queued = device.queued("1111111111111111")

    device.acknowledge(start, received=True)

    assert device.get(queued["id"]) == queued


def test_cancel_takes_a_pending_downlink_out_of_the_queue(device: Device, start: int) -> None:
    cancelled = device.queued("1111111111111111")
    kept = device.queued("2222222222222222")

    response = device.cancel(cancelled["id"])

    assert response.status_code == 200, response.text
    assert response.json() == {
        **cancelled,
        "state": "cancelled",
        "settledTime": response.json()["settledTime"],
    }
    assert device.get(cancelled["id"]) == response.json()
    assert device.frame(start, ack=True)["downlink"]["data"] == kept["data"]
    # Neither a cancelled nor a sent downlink is pending any more.
    assert_error(device.cancel(cancelled["id"]), 404, cancelled["id"])
    assert_error(device.cancel(kept["id"]), 404, kept["id"])
    assert device.get(kept["id"])["state"] == "sent"


def test_the_list_is_newest_first_and_honours_limit(device: Device) -> None:
    ids = [device.queued(f"{n:016x}")["id"] for n in range(3)]

    assert [d["id"] for d in device.listing()] == ids[::-1]
    assert [d["id"] for d in device.listing(limit=2)] == ids[:0:-1]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"data": "00112233445566"}, ("data", "16 hex digits")),
        ({"data": "001122334455667788"}, ("data", "16 hex digits")),
        ({"data": "zz112233445566ff"}, ("data", "16 hex digits")),
        ({"data": "{time}0000000000"}, ("data", "16 hex digits")),
        ({"data": " 0011223344556677"}, ("data", "16 hex digits")),
        ({"data": 1122334455667788}, ("data",)),
        ({}, ("data",)),
        ({"data": "0011223344556677", "expiresAt": 1_000_000}, ("expiresAt", "future")),
        ({"data": "0011223344556677", "expiresAt": "tomorrow"}, ("expiresAt",)),
        ({"data": "0011223344556677", "expiresAt": True}, ("expiresAt",)),
        ({"data": "0011223344556677", "expiresAt": -1}, ("expiresAt",)),
        ({"data": "0011223344556677", "replace": "sometimes"}, ("replace",)),
    ],
)
def test_invalid_downlinks_are_refused_and_nothing_is_queued(
    device: Device, body: dict[str, Any], words: tuple[str, ...]
) -> None:
    assert_error(device.queue(body), 400, *words)
    assert device.listing() == []


def test_a_body_that_is_not_json_is_refused(device: Device) -> None:
    response = device.client.post(
        device.path,
        content=b"data=0011223344556677",
        headers={"content-type": "application/json"},
        auth=device.made.tenant.auth,
    )
    assert_error(response, 400)


@pytest.mark.parametrize("downlink_id", ["999999", "abc", "-1", "9" * 30])
def test_an_unknown_downlink_is_not_found(device: Device, downlink_id: str) -> None:
    device.queued("0011223344556677")

    get = device.client.get(f"{device.path}/{downlink_id}", auth=device.made.tenant.auth)
    assert_error(get, 404, downlink_id)
    assert_error(device.cancel(downlink_id), 404, downlink_id)


def test_another_devices_downlink_is_not_found(
    server: LiveServer, client: httpx.Client, device: Device
) -> None:
    owner = device.made.tenant
    owned_devices(server, owner, "BEEF")
    theirs = client.post(
        "/api/devices/BEEF/downlinks", json={"data": "0011223344556677"}, auth=owner.auth
    ).json()

    assert_error(client.get(f"{device.path}/{theirs['id']}", auth=owner.auth), 404)
    assert_error(device.cancel(theirs["id"]), 404)
    mine = client.get(f"/api/devices/BEEF/downlinks/{theirs['id']}", auth=owner.auth)
    assert mine.json() == theirs


def test_an_unknown_device_is_not_found(client: httpx.Client, made: Fleet) -> None:
    path = "/api/devices/ABCDEF/downlinks"
    auth = made.tenant.auth
    assert_error(client.post(path, json={"data": "0011223344556677"}, auth=auth), 404, "ABCDEF")
    assert_error(client.get(path, auth=auth), 404, "ABCDEF")
    assert_error(client.get(f"{path}/1", auth=auth), 404, "ABCDEF")
    assert_error(client.delete(f"{path}/1", auth=auth), 404, "ABCDEF")


def test_another_group_sees_and_changes_nothing(
    server: LiveServer, device: Device, start: int
) -> None:
    globex = tenant(server, "Globex")
    queued = device.queued("0011223344556677")
    foreign = f"{device.path}/{queued['id']}"

    # An invalid body too: another group's device is a 404 whatever the body.
    assert_error(device.queue({"data": "ffffffffffffffff"}, who=globex), 404, device.id)
    assert_error(device.queue({"data": "nonsense"}, who=globex), 404, device.id)
    assert_error(device.client.get(device.path, auth=globex.auth), 404, device.id)
    assert_error(device.client.get(foreign, auth=globex.auth), 404, device.id)
    assert_error(device.cancel(queued["id"], who=globex), 404, device.id)

    assert device.listing() == [queued]
    assert device.frame(start, ack=True)["downlink"]["data"] == "0011223344556677"


def test_a_parent_group_manages_its_child_groups_queue(
    server: LiveServer, client: httpx.Client, device: Device
) -> None:
    parent = tenant(server, "Parent")
    child = tenant(server, "Child", parent_id=parent.group_id)
    owned_devices(server, child, "C0FE")
    path = "/api/devices/C0FE/downlinks"

    created = client.post(path, json={"data": "0011223344556677"}, auth=parent.auth)
    assert created.status_code == 201, created.text
    assert client.get(path, auth=child.auth).json() == {"data": [created.json()]}
    cancelled = client.delete(f"{path}/{created.json()['id']}", auth=parent.auth)
    assert cancelled.json()["state"] == "cancelled"
    # Neither sees the fleet's device, which belongs to another group.
    assert_error(client.get(device.path, auth=parent.auth), 404)


def test_consumptions_count_each_downlink_served(device: Device, start: int) -> None:
    device.queued("0011223344556677")

    device.frame(start, ack=True)  # takes the queued downlink
    device.frame(start + 1000, ack=True)  # nothing queued, and the device type has no data
    device.frame(start + 2000)  # asks for nothing

    day = datetime.datetime.fromtimestamp(start / 1000, datetime.UTC)
    response = device.client.get(
        f"/api/device/{device.id}/consumptions/{day.year}", auth=device.made.tenant.auth
    )
    assert response.status_code == 200, response.text
    consumptions = response.json()["consumption"]["consumptions"]
    served_on = start // 86_400_000 - days_of_year(day.year).start
    assert consumptions[served_on]["downlinkFrameCount"] == 1
    assert sum(c["downlinkFrameCount"] for c in consumptions) == 1
    assert sum(c["frameCount"] for c in consumptions) == 3
