"""`foxden dispatch`: dispatchers of their own, beside a server that delivers nothing itself.
Two of them share one outbox and deliver every row exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
from sqlalchemy import Connection

from foxden.config import Settings
from tests.integration.dispatch.conftest import (
    create_callbacks,
    outbox_size,
    url_callback,
    wait_until,
)
from tests.support.factories import fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.uplinks import uplink

MESSAGES = 60


def test_two_dispatch_processes_share_the_outbox(settings: Settings, sink: HttpSink) -> None:
    env = {
        **os.environ,
        "FOXDEN_DATABASE_URL": settings.database_url,
        "FOXDEN_OUTBOUND_ALLOW": "127.0.0.1/32",
    }
    live = LiveServer(settings.model_copy(update={"dispatcher": False}))
    dispatchers = [
        subprocess.Popen(
            [sys.executable, "-m", "foxden", "dispatch"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        for process in dispatchers:
            assert process.stdout is not None
            assert b"dispatching" in process.stdout.readline()
        with httpx.Client(base_url=live.url, timeout=30) as client:
            made = fleet(live, devices=3, callbacks=())
            create_callbacks(
                client, made, url_callback(f"{sink.url}/cb", bodyTemplate="m={device}:{seqNumber}")
            )
            for seq in range(MESSAGES // 3):
                for device in range(3):
                    uplink(client, made, seq=seq, device=device)
        sink.wait_for(MESSAGES, timeout=60)
        wait_until(lambda: live.read(_drained), timeout=30)
    finally:
        for process in dispatchers:
            process.send_signal(signal.SIGTERM)
        for process in dispatchers:
            process.communicate(timeout=30)
        live.stop()
    assert [process.returncode for process in dispatchers] == [0, 0]
    bodies = sorted(request.text() for request in sink.requests)
    expected = sorted(
        f"m={made.device_ids[device]}:{seq}" for seq in range(MESSAGES // 3) for device in range(3)
    )
    assert bodies == expected  # each message once: no row was handed to both


def _drained(conn: Connection) -> bool:
    return outbox_size(conn) == 0
