from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from foxden.config import Settings
from tests.support.databases import Databases
from tests.support.server import LiveServer


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.drop()


@pytest.fixture
def database_url(databases: Databases) -> str:
    return databases.fresh()


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The silence monitor runs only where a test drives it (tests/integration/monitor).
    return Settings(database_url=database_url, demo=False, monitor=False)


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    live = LiveServer(settings)
    yield live
    live.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
