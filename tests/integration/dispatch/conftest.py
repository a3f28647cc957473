"""A server whose dispatcher may reach loopback, retries within a second, and mails through a
real SMTP server; a real HTTP sink to deliver to; and helpers to make callbacks and uplinks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import Connection, select, update

from foxden.config import Settings
from foxden.storage import callback_attempts
from foxden.storage.callback_attempts import Attempt
from foxden.storage.tables import outbox, stations
from tests.support.factories import Fleet
from tests.support.server import LiveServer
from tests.support.sinks import HttpSink
from tests.support.smtp import SmtpServer

T = TypeVar("T")

RETRY_DELAYS = ["0.2", "0.4"]


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    with HttpSink() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(database_url: str, smtp: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        demo=False,
        monitor=False,
        outbound_allow=["127.0.0.1/32"],
        callback_retry_delays=RETRY_DELAYS,
        callback_timeout=1.0,
        callback_batch_window_ms=1500,
        dispatch_lease_s=30,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_from="alerts@foxden.test",
    )


def create_callbacks(client: httpx.Client, made: Fleet, *definitions: dict[str, Any]) -> list[str]:
    """Create callbacks on the fleet's device type through the API; their ids."""
    created = client.post(
        f"/api/devicetypes/{made.device_type_id}/callbacks/new",
        json=list(definitions),
        auth=made.tenant.auth,
    )
    assert created.status_code == 200, created.text
    ids: list[str] = created.json()
    return ids


def url_callback(url: str, **fields: Any) -> dict[str, Any]:
    """A DATA UPLINK URL callback definition."""
    return {
        "channel": "URL",
        "callbackType": 0,
        "callbackSubtype": 2,
        "url": url,
        "httpMethod": "POST",
        "enabled": True,
        "sendDuplicate": False,
        **fields,
    }


def email_callback(**fields: Any) -> dict[str, Any]:
    """A DATA UPLINK EMAIL callback definition to team@example.com."""
    return {
        "channel": "EMAIL",
        "callbackType": 0,
        "callbackSubtype": 2,
        "recipient": "team@example.com",
        "subject": "{device}",
        "message": "{data}",
        **fields,
    }


def place_station(server: LiveServer, station_id: str, lat: float, lng: float) -> None:
    """Give a station a position."""

    def move(conn: Connection) -> None:
        conn.execute(update(stations).where(stations.c.id == station_id).values(lat=lat, lng=lng))

    server.write(move)


def wait_until(check: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Poll ``check`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "the condition was not met in time"
        time.sleep(0.02)


def attempts_of(server: LiveServer, message_id: int) -> list[Attempt]:
    """Every attempt recorded for a message, oldest first."""
    return server.read(callback_attempts.for_messages, [message_id]).get(message_id, [])


def outbox_size(conn: Connection) -> int:
    """Rows left in the outbox."""
    return len(conn.execute(select(outbox.c.id)).all())
