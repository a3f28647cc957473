"""Replay: a range of a device type's messages delivered again through one callback."""

from __future__ import annotations

import httpx

from tests.integration.dispatch.conftest import (
    create_callbacks,
    url_callback,
)
from tests.support.factories import fleet, tenant
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.uplinks import BASE_TIME, uplink


def test_replay_delivers_the_range_again(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    [callback_id] = create_callbacks(
        client, made, url_callback(f"{sink.url}/r", bodyTemplate="seq={seqNumber}")
    )
    for seq in range(1, 6):
        uplink(client, made, seq=seq, at=seq * 1000)
    sink.wait_for(5)
    sink.clear()

    replayed = client.post(
        f"/api/devicetypes/{made.device_type_id}/callbacks/{callback_id}/replay",
        params={"since": BASE_TIME + 2000, "before": BASE_TIME + 5000},
        auth=made.tenant.auth,
    )
    assert replayed.status_code == 200, replayed.text
    assert replayed.json() == {"queued": 3}
    again = sink.wait_for(3)
    assert sorted(r.form()["seq"][0] for r in again) == ["2", "3", "4"]


def test_replay_needs_since_and_a_callback_of_ones_own(
    server: LiveServer, client: httpx.Client, sink: HttpSink
) -> None:
    made = fleet(server, callbacks=())
    [callback_id] = create_callbacks(client, made, url_callback(f"{sink.url}/r"))
    path = f"/api/devicetypes/{made.device_type_id}/callbacks/{callback_id}/replay"

    missing = client.post(path, auth=made.tenant.auth)
    assert missing.status_code == 400
    assert "since" in missing.json()["message"]

    stranger = tenant(server, "Stranger")
    foreign = client.post(path, params={"since": 0}, auth=stranger.auth)
    assert foreign.status_code == 404

    unknown = client.post(
        f"/api/devicetypes/{made.device_type_id}/callbacks/{'0' * 24}/replay",
        params={"since": 0},
        auth=made.tenant.auth,
    )
    assert unknown.status_code == 404
    assert unknown.json()["message"].startswith("Callback")
