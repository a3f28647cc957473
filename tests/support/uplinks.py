"""Uplinks posted to a live server as a fleet's stations post them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.factories import Fleet

BASE_TIME = 1_790_000_000_000


def uplink(
    client: httpx.Client,
    made: Fleet,
    *,
    seq: int,
    device: int = 0,
    station: int = 0,
    data: str = "0102",
    rssi: float = -100.0,
    snr: float = 10.0,
    at: int = 0,
    ack: bool = False,
    oob: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Post an uplink heard by one of the fleet's stations, a service frame with ``oob``;
    the answer."""
    station_id, token = made.stations[station]
    frame: dict[str, Any] = {
        "device": made.device_ids[device],
        "seqNumber": seq,
        "data": data,
        "station": station_id,
        "rssi": rssi,
        "snr": snr,
        "time": BASE_TIME + at,
        "ack": ack,
    }
    if oob is not None:
        frame["oob"] = oob
    answer = client.post(
        "/network/uplinks", json=frame, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
