"""Base stations that stop reporting: a WARN status event per device type for the devices whose
last message they received, once per outage."""

from __future__ import annotations

import httpx

from foxden.domain.status_events import NETWORK_WARNING
from tests.integration.monitor.conftest import MINUTE, START, Watch, events, uplink, watched_fleet
from tests.support.factories import Fleet, owned_devices
from tests.support.server import LiveServer

SILENCE = 600_000  # the settings' station_silence_s


def warn(device_type_id: str, at: int, *device_ids: str) -> dict[str, object]:
    return {
        "deviceIds": list(device_ids),
        "time": at,
        "message": NETWORK_WARNING,
        "severity": "WARN",
        "deviceId": device_type_id,
    }


def hear_again(server: LiveServer) -> None:
    """Let the next frame of each station note it as heard, which the server does only once a
    minute per station."""
    server.runtime.heard.clear()


def test_a_silent_station_warns_about_the_devices_it_last_heard(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    made = watched_fleet(server, client, minutes=0, devices=3, stations=3)
    other_type = owned_devices(server, made.tenant, "F100")
    other = Fleet(made.tenant, other_type, ("F100",), made.stations)
    a, b, c = made.device_ids
    uplink(client, made, seq=1, at=START, device=0, station=0)
    uplink(client, other, seq=1, at=START, device=0, station=0)
    uplink(client, made, seq=1, at=START, device=2, station=2)
    uplink(client, made, seq=1, at=START, device=1, station=1)
    # Station 1 is heard again later; c's last message is its, not station 2's.
    hear_again(server)
    uplink(client, made, seq=2, at=START + 5 * MINUTE, device=2, station=1)
    station0, _, station2 = (station_id for station_id, _ in made.stations)

    assert watch.at(START + SILENCE).down == ()
    tick = watch.at(START + SILENCE + 1)
    # Station 2 is down too, but the last message of no device is its: no event for it.
    assert tick.down == tuple(sorted((station0, station2)))
    assert len(tick.warnings) == 2
    assert watch.at(START + SILENCE + 2 * MINUTE).down == ()
    expected = [warn(made.device_type_id, START + SILENCE, a)]
    assert events(client, made, f"/devicetypes/{made.device_type_id}/status/warn") == expected
    assert events(client, made, f"/devices/{a}/status/warn") == expected
    assert events(client, made, f"/devicetypes/{other_type}/status/warn") == [
        warn(other_type, START + SILENCE, "F100")
    ]
    assert events(client, made, f"/devices/{b}/status/warn") == []
    assert events(client, made, f"/devices/{c}/status/warn") == []
    # WARN events are not ERROR events.
    assert events(client, made, f"/devices/{a}/status/error") == []


def test_a_station_heard_again_is_up_and_may_go_down_again(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    made = watched_fleet(server, client, minutes=0, stations=1)
    [station] = (station_id for station_id, _ in made.stations)
    uplink(client, made, seq=1, at=START)
    assert watch.at(START + SILENCE + 1).down == (station,)
    back = START + 30 * MINUTE
    hear_again(server)
    uplink(client, made, seq=2, at=back)
    assert watch.at(back + SILENCE).down == ()
    tick = watch.at(back + SILENCE + 1)
    assert tick.down == (station,)
    assert len(tick.warnings) == 1
    path = f"/devices/{made.device_ids[0]}/status/warn"
    assert events(client, made, path) == [
        warn(made.device_type_id, back + SILENCE, made.device_ids[0]),
        warn(made.device_type_id, START + SILENCE, made.device_ids[0]),
    ]


def test_a_station_never_heard_is_never_down(
    server: LiveServer, client: httpx.Client, watch: Watch
) -> None:
    watched_fleet(server, client, minutes=0, stations=2)
    assert watch.at(START + 100 * SILENCE).down == ()
