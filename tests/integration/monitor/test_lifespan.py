"""The server's own monitor: started by its lifespan when ``monitor`` is on, on the real clock."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from foxden.config import Settings
from foxden.domain.clock import now_ms
from tests.integration.dispatch.conftest import wait_until
from tests.integration.monitor.conftest import MINUTE, events, uplink, watched_fleet
from tests.support.server import LiveServer


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    live = LiveServer(settings.model_copy(update={"monitor": True, "monitor_interval_s": 0.05}))
    yield live
    live.stop()


def test_the_server_declares_a_device_lost_by_itself(
    server: LiveServer, client: httpx.Client
) -> None:
    made = watched_fleet(server, client, minutes=30)
    heard = now_ms() - 45 * MINUTE
    uplink(client, made, seq=1, at=heard)
    path = f"/devices/{made.device_ids[0]}/status/error"
    [event] = wait_until(lambda: events(client, made, path))
    assert (event["time"], event["severity"]) == (heard + 30 * MINUTE, "ERROR")
