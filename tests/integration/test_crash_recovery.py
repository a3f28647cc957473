from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx
from sqlalchemy import Connection, select

from foxden.config import Settings
from foxden.domain import credentials
from foxden.domain.device_types import DownlinkMode
from foxden.storage import callbacks, device_types, devices, groups, stations
from foxden.storage.migrate import open_database
from foxden.storage.tables import messages, outbox
from tests.integration.test_serve import free_port
from tests.support.sinks import HttpSink

T = TypeVar("T")

DEVICES = 6
SENDERS = 6


def _provision(conn: Connection, token_digest: str, url: str = "http://127.0.0.1:9/") -> str:
    group = groups.create(conn, "Crash")
    device_type = device_types.create(conn, group.id, "Sensor")
    callbacks.create(
        conn,
        device_type.id,
        "URL",
        0,
        2,
        settings={"url": url, "httpMethod": "POST", "bodyTemplate": "id={device}&seq={seqNumber}"},
    )
    for n in range(DEVICES):
        devices.create(conn, f"C{n:03X}", device_type.id, "0" * 16)
    return stations.create(conn, "Roof", token_digest).id


def _stored(conn: Connection) -> dict[tuple[str, int], int]:
    """(device, seq) -> outbox rows of each stored message."""
    found: dict[tuple[str, int], int] = {}
    for message_id, device_id, seq in conn.execute(
        select(messages.c.id, messages.c.device_id, messages.c.seq_number)
    ):
        rows = conn.execute(select(outbox.c.id).where(outbox.c.message_id == message_id)).all()
        found[(device_id, seq)] = len(rows)
    return found


async def _on(url: str, body: Callable[..., T], *args: object) -> T:
    db = await open_database(Settings(database_url=url))
    try:
        return await db.write(body, *args)
    finally:
        await db.close()


class Traffic:
    """Senders of uplinks, each device's sequence numbers going up; remembers what got a 200."""

    def __init__(self, station_id: str, token: str) -> None:
        self.station_id = station_id
        self.token = token
        self.acknowledged: set[tuple[str, int]] = set()
        self.next_seq = dict.fromkeys((f"C{n:03X}" for n in range(DEVICES)), 0)
        self.lock = threading.Lock()

    def send(self, base: str, stop: threading.Event, worker: int) -> None:
        device = f"C{worker % DEVICES:03X}"
        with httpx.Client(base_url=base, timeout=5) as client:
            while not stop.is_set():
                with self.lock:
                    seq = self.next_seq[device]
                    self.next_seq[device] = (seq + 1) % 4096
                try:
                    answer = client.post(
                        "/network/uplinks",
                        json={
                            "device": device,
                            "seqNumber": seq,
                            "data": f"{seq:04x}",
                            "station": self.station_id,
                            "rssi": -100,
                            "snr": 10,
                            "time": int(time.time() * 1000),
                        },
                        headers={"Authorization": f"Bearer {self.token}"},
                    )
                except httpx.TransportError:
                    return
                if answer.status_code == 200:
                    with self.lock:
                        self.acknowledged.add((device, seq))


def test_every_answered_uplink_survives_sigkill(database_url: str) -> None:
    token = credentials.new_token()
    station_id = asyncio.run(_on(database_url, _provision, token.stored))
    seed = int(time.time())
    chance = random.Random(seed)
    traffic = Traffic(station_id, token.plain)

    for _ in range(3):
        _serve_and_kill(database_url, traffic, chance, {"FOXDEN_DISPATCHER": "false"})

    stored = asyncio.run(_on(database_url, _stored))
    assert isinstance(stored, dict)
    acknowledged = traffic.acknowledged
    assert len(acknowledged) > 20, f"too few uplinks answered to mean anything (seed {seed})"
    lost = sorted(acknowledged - set(stored))
    assert lost == [], f"answered but lost after SIGKILL (seed {seed}): {lost[:10]}"
    assert all(stored[key] == 1 for key in acknowledged), f"outbox rows missing (seed {seed})"


def test_every_queued_callback_is_delivered_after_sigkill(database_url: str) -> None:
    token = credentials.new_token()
    seed = int(time.time())
    chance = random.Random(seed)
    env = {
        "FOXDEN_OUTBOUND_ALLOW": "127.0.0.1/32",
        "FOXDEN_DISPATCH_LEASE_S": "1",
        "FOXDEN_CALLBACK_RETRY_DELAYS": "0.1",
    }
    with HttpSink() as sink:
        station_id = asyncio.run(_on(database_url, _provision, token.stored, f"{sink.url}/cb"))
        traffic = Traffic(station_id, token.plain)
        for _ in range(3):
            _serve_and_kill(database_url, traffic, chance, env)
        # One last run, without traffic, until the outbox is empty.
        with _server(database_url, env):
            deadline = time.monotonic() + 60
            while asyncio.run(_on(database_url, _outbox_rows)):
                assert time.monotonic() < deadline, f"outbox not drained (seed {seed})"
                time.sleep(0.2)
        delivered = set()
        for request in sink.requests:
            form = request.form()
            delivered.add((form["id"][0], int(form["seq"][0])))
    acknowledged = traffic.acknowledged
    assert len(acknowledged) > 20, f"too few uplinks answered to mean anything (seed {seed})"
    lost = sorted(acknowledged - delivered)
    assert lost == [], f"answered but never delivered after SIGKILL (seed {seed}): {lost[:10]}"


def _outbox_rows(conn: Connection) -> int:
    return len(conn.execute(select(outbox.c.id)).all())


@contextlib.contextmanager
def _server(
    database_url: str, env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``foxden serve`` in a process of its own, once it answers; killed on exit."""
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "foxden", "serve", "--no-demo", "--port", str(port)],
        env={**os.environ, "FOXDEN_DATABASE_URL": database_url, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as server:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)
        try:
            yield server, base
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)


def _serve_and_kill(
    database_url: str, traffic: Traffic, chance: random.Random, env: dict[str, str]
) -> None:
    """Send uplinks to a server, SIGKILL it at a random moment, stop the senders."""
    with _server(database_url, env) as (server, base):
        stop = threading.Event()
        senders = [
            threading.Thread(target=traffic.send, args=(base, stop, n)) for n in range(SENDERS)
        ]
        for thread in senders:
            thread.start()
        time.sleep(chance.uniform(0.3, 1.5))
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        stop.set()
        for thread in senders:
            thread.join(timeout=30)


def _provision_downlink_callback(conn: Connection, token_digest: str, url: str) -> str:
    group = groups.create(conn, "Crash")
    device_type = device_types.create(conn, group.id, "Sensor", downlink_mode=DownlinkMode.CALLBACK)
    hook = callbacks.create(conn, device_type.id, "URL", 0, 3, settings={"url": url})
    callbacks.select_downlink(conn, device_type.id, hook.id)
    devices.create(conn, "C000", device_type.id, "0" * 16)
    return stations.create(conn, "Roof", token_digest).id


def test_a_downlink_callback_cut_off_by_sigkill_is_delivered_after_restart(
    database_url: str,
) -> None:
    """The downlink callback's delivery is queued, claimed by the request, with the frame: a
    process killed while asking it leaves the delivery to the dispatcher after restart."""
    token = credentials.new_token()
    env = {
        "FOXDEN_OUTBOUND_ALLOW": "127.0.0.1/32",
        "FOXDEN_DOWNLINK_TIMEOUT": "2",
        "FOXDEN_DISPATCH_LEASE_S": "1",
    }
    now = int(time.time() * 1000)
    frame = {"device": "C000", "seqNumber": 1, "rssi": -100, "snr": 9, "time": now, "ack": True}
    with HttpSink() as sink:
        station_id = asyncio.run(
            _on(
                database_url,
                _provision_downlink_callback,
                token.stored,
                f"{sink.url}/bidir?device={{device}}&ack={{ack}}",
            )
        )
        sink.hang(times=1)
        with _server(database_url, env) as (server, base):
            asking = threading.Thread(
                target=_post_quietly,
                args=(f"{base}/network/uplinks", {**frame, "station": station_id}, token.plain),
            )
            asking.start()
            sink.wait_for(1)
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
            asking.join(timeout=30)
        with _server(database_url, env):
            [_, again] = sink.wait_for(2, timeout=30)
            deadline = time.monotonic() + 30
            while asyncio.run(_on(database_url, _outbox_rows)):
                assert time.monotonic() < deadline, "the delivery was not completed"
                time.sleep(0.1)
    assert again.params() == {"device": ["C000"], "ack": ["true"]}


def _post_quietly(url: str, body: dict[str, object], token: str) -> None:
    """Post a frame to a server about to be killed: its answer never comes."""
    with contextlib.suppress(httpx.TransportError):
        httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30)
