"""Devices that outlive their keepAlive: one ERROR status event per breach, through the API."""

from __future__ import annotations

import time

import httpx
from sqlalchemy import Connection, select

from foxden.config import Settings
from foxden.domain.status_events import NETWORK_WARNING
from foxden.storage.tables import devices
from tests.integration.dispatch.conftest import wait_until
from tests.integration.monitor.conftest import (
    MINUTE,
    START,
    Clock,
    Watch,
    events,
    keep_alive,
    uplink,
    watched_fleet,
)
from tests.support.factories import Fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink


def utc(time_ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time_ms // 1000))


def lost(made: Fleet, at: int, last_seen: int) -> dict[str, object]:
    """The API's view of the ERROR event of the fleet's first device, lost at ``at``."""
    return {
        "deviceId": made.device_ids[0],
        "time": at,
        "message": f"No message received since {utc(last_seen)}",
        "severity": "ERROR",
        "deviceTypeId": made.device_type_id,
    }


def restored(made: Fleet, at: int) -> dict[str, object]:
    return {
        "deviceId": made.device_ids[0],
        "time": at,
        "message": f"Communication restored: message received at {utc(at)}",
        "severity": "ERROR",
        "deviceTypeId": made.device_type_id,
    }


def test_silence_is_raised_once_at_the_keep_alive_deadline(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    made = watched_fleet(server, client, minutes=30, devices=2)
    uplink(client, made, seq=1, at=START)
    deadline = START + 30 * MINUTE
    assert watch.at(deadline - 1).lost == ()
    assert events(client, made, f"/devices/{made.device_ids[0]}/status/error") == []

    first = watch.at(deadline)
    assert first.lost == (made.device_ids[0],)
    assert len(first.errors) == 1
    assert watch.at(deadline + 5 * MINUTE).lost == ()
    expected = [lost(made, deadline, START)]
    assert events(client, made, f"/devices/{made.device_ids[0]}/status/error") == expected
    assert events(client, made, f"/devicetypes/{made.device_type_id}/status/error") == expected
    # The device never heard has nothing to breach.
    assert events(client, made, f"/devices/{made.device_ids[1]}/status/error") == []


def test_the_next_uplink_restores_and_a_new_breach_is_raised_again(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    made = watched_fleet(server, client, minutes=30)
    uplink(client, made, seq=1, at=START)
    assert watch.at(START + 31 * MINUTE).lost == (made.device_ids[0],)
    back = START + 40 * MINUTE
    uplink(client, made, seq=2, at=back)
    assert watch.at(back + 29 * MINUTE).lost == ()
    assert watch.at(back + 30 * MINUTE).lost == (made.device_ids[0],)
    assert watch.at(back + 90 * MINUTE).lost == ()
    assert events(client, made, f"/devices/{made.device_ids[0]}/status/error") == [
        lost(made, back + 30 * MINUTE, back),
        restored(made, back),
        lost(made, START + 30 * MINUTE, START),
    ]


def test_a_breach_is_raised_once_across_a_restart(settings: Settings, clock: Clock) -> None:
    first = LiveServer(settings)
    try:
        with httpx.Client(base_url=first.url) as client:
            made = watched_fleet(first, client, minutes=30, devices=2)
            uplink(client, made, seq=1, at=START, device=0)
            uplink(client, made, seq=1, at=START + 60 * MINUTE, device=1)
            assert Watch(first, settings, clock).at(START + 45 * MINUTE).lost == (
                made.device_ids[0],
            )
    finally:
        first.stop()
    second = LiveServer(settings)
    try:
        with httpx.Client(base_url=second.url) as client:
            watch = Watch(second, settings, clock)
            # The first device's breach was declared before the restart; the second's is due.
            assert watch.at(START + 95 * MINUTE).lost == (made.device_ids[1],)
            assert watch.at(START + 100 * MINUTE).lost == ()
            found = events(client, made, f"/devicetypes/{made.device_type_id}/status/error")
            assert [(e["deviceId"], e["time"]) for e in found] == [
                (made.device_ids[1], START + 90 * MINUTE),
                (made.device_ids[0], START + 30 * MINUTE),
            ]
    finally:
        second.stop()


def silence_at(conn: Connection, device_id: str) -> int | None:
    value: int | None = conn.execute(
        select(devices.c.silence_at).where(devices.c.id == device_id)
    ).scalar_one()
    return value


def test_no_keep_alive_means_no_silence_watch(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    made = watched_fleet(server, client, minutes=0)
    uplink(client, made, seq=1, at=START)
    assert server.read(silence_at, made.device_ids[0]) is None
    assert watch.at(START + 5 * 60 * MINUTE).lost == ()
    assert events(client, made, f"/devices/{made.device_ids[0]}/status/error") == []


def test_a_keep_alive_edit_rearms_the_devices_of_the_type(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    made = watched_fleet(server, client, minutes=30)
    uplink(client, made, seq=1, at=START)
    keep_alive(client, made, 120)
    assert server.read(silence_at, made.device_ids[0]) == START + 120 * MINUTE
    assert watch.at(START + 119 * MINUTE).lost == ()
    keep_alive(client, made, 0)
    assert server.read(silence_at, made.device_ids[0]) is None
    assert watch.at(START + 4 * 60 * MINUTE).lost == ()
    # Back on: the breach of the new keepAlive is already past, and is raised at once.
    keep_alive(client, made, 60)
    assert watch.at(START + 4 * 60 * MINUTE + 1).lost == (made.device_ids[0],)
    assert events(client, made, f"/devices/{made.device_ids[0]}/status/error") == [
        lost(made, START + 60 * MINUTE, START)
    ]
    # A lost device stays lost through an edit: nothing re-arms it until it is heard.
    keep_alive(client, made, 30)
    assert server.read(silence_at, made.device_ids[0]) is None


def test_many_lost_at_once_are_taken_chunk_by_chunk(
    server: LiveServer, client: httpx.Client, settings: Settings, clock: Clock
) -> None:
    made = watched_fleet(server, client, minutes=30, devices=7)
    for n in range(7):
        uplink(client, made, seq=1, at=START + n * MINUTE, device=n)
    watch = Watch(server, settings, clock, chunk=3)
    tick = watch.at(START + 40 * MINUTE)
    assert tick.lost == made.device_ids  # earliest deadline first
    assert len(set(tick.errors)) == 7
    assert watch.at(START + 50 * MINUTE).lost == ()


def test_an_error_callback_receives_the_silence(
    server: LiveServer, client: httpx.Client, watch: Watch, sink: HttpSink
) -> None:
    made = watched_fleet(server, client, minutes=30)
    created = client.post(
        f"/api/devicetypes/{made.device_type_id}/callbacks/new",
        json=[
            {
                "channel": "URL",
                "callbackType": 2,
                "callbackSubtype": 0,
                "url": f"{sink.url}/lost?device={{device}}&time={{time}}&info={{info}}"
                "&severity={severity}",
                "httpMethod": "GET",
                "enabled": True,
                "sendDuplicate": False,
            }
        ],
        auth=made.tenant.auth,
    )
    assert created.status_code == 200, created.text
    uplink(client, made, seq=1, at=START)
    deadline = START + 30 * MINUTE
    tick = watch.at(deadline)
    # The station, silent as long, went down 10 minutes after it was last heard (the
    # settings' station_silence_s): its WARN event goes to the same callback.
    assert (len(tick.errors), len(tick.warnings)) == (1, 1)
    received = sink.wait_for(2, path="/lost")
    assert {r.method for r in received} == {"GET"}
    assert sorted((r.params() for r in received), key=lambda p: p["severity"]) == [
        {
            "device": [made.device_ids[0]],
            "time": [str(deadline // 1000)],
            "info": [f"No message received since {utc(START)}"],
            "severity": ["ERROR"],
        },
        {
            "device": [made.device_ids[0]],
            "time": [str((START + 10 * MINUTE) // 1000)],
            "info": [NETWORK_WARNING],
            "severity": ["WARN"],
        },
    ]
    # The event lists the attempt once the dispatcher has recorded it.
    path = f"/devices/{made.device_ids[0]}/status/error"
    [attempt] = wait_until(lambda: events(client, made, path)[0].get("callbacks"))
    assert attempt["status"] == 200
    assert attempt["url"].startswith(
        f"{sink.url}/lost?device={made.device_ids[0]}&time={deadline // 1000}&info=No%20message"
    )
