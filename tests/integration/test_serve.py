from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import Connection, func, select
from sqlalchemy.engine import make_url

from foxden.config import Settings
from foxden.simulate import demo
from foxden.storage.tables import device_types, devices, groups, stations
from tests.support.databases import Databases
from tests.support.server import LiveServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(database_url: str, *extra: str) -> Iterator[tuple[str, list[str]]]:
    port = free_port()
    env = {**os.environ, "FOXDEN_DATABASE_URL": database_url}
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "foxden", "serve", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                line = process.stdout.readline()
                assert line, "".join(lines)
                lines.append(line)
                if "Application startup complete" in line:
                    break
            yield url, lines
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0


def banner_value(lines: list[str], label: str) -> str:
    for line in lines:
        found = re.search(rf"{label}\s+(\S+)", line)
        if found:
            return found.group(1)
    raise AssertionError(f"{label} not printed")


def _counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (groups, device_types, devices, stations)
    }


def test_serve_loads_the_demo_once_and_prints_working_credentials(databases: Databases) -> None:
    url = databases.empty()
    with serving(url) as (base, lines):
        output = "".join(lines)
        assert f"{base}/api" in output and f"{base}/v1" in output
        login = banner_value(lines, "login")
        password = banner_value(lines, "password")
        assert (login, password) == (demo.API_LOGIN, demo.API_PASSWORD)
        listing = httpx.get(f"{base}/api/groups", auth=(login, password)).json()
        assert sorted(g["name"] for g in listing["data"]) == ["Cold chain", "Water utility"]
        key = httpx.post(
            f"{base}/v1/auth",
            json={"authKeyId": banner_value(lines, "authKeyId"), "authKey": demo.AUTH_KEY_SECRET},
        )
        assert key.status_code == 200
        token = {"X-Soracom-API-Key": key.json()["apiKey"], "X-Soracom-Token": key.json()["token"]}
        soracom_groups = httpx.get(f"{base}/v1/groups", headers=token).json()
        assert sorted(g["tags"]["name"] for g in soracom_groups) == ["Cold chain", "Water utility"]
        assert all(
            g["configuration"]["SoracomHarvest"] == {"enabled": True} for g in soracom_groups
        )
        meters = httpx.get(
            f"{base}/v1/sigfox_devices",
            params={
                "tag_name": "name",
                "tag_value": "Water meter ",
                "tag_value_match_mode": "prefix",
            },
            headers=token,
        ).json()
        assert len(meters) == 25
        assert {device["groupId"] for device in meters} == {
            g["groupId"] for g in soracom_groups if g["tags"]["name"] == "Water utility"
        }
    with serving(url) as (base, lines):
        assert banner_value(lines, "login") == demo.API_LOGIN

    live = LiveServer(Settings(database_url=url, demo=False))
    try:
        assert live.read(_counts) == {"groups": 3, "device_types": 2, "devices": 50, "stations": 3}
    finally:
        live.stop()


def test_no_demo_serves_an_empty_database(databases: Databases) -> None:
    url = databases.empty()
    with serving(url, "--no-demo") as (base, lines):
        assert "demo fleet" not in "".join(lines)
        response = httpx.get(f"{base}/api/groups", auth=(demo.API_LOGIN, demo.API_PASSWORD))
        assert response.status_code == 401


def test_banner_prints_whole_lines_and_no_password(databases: Databases) -> None:
    url = databases.empty()
    if databases.kind == "postgres":  # trust authentication takes any password
        url = make_url(url).set(password="s3cretpw").render_as_string(hide_password=False)
    with serving(url) as (base, lines):
        output = "".join(lines)
        assert "s3cretpw" not in output
        shown = make_url(url).render_as_string(hide_password=True)
        assert f"database: {shown}\n" in lines
        for path in ("/api", "/v1", "/network"):
            assert re.search(rf"\s{base}{path}\s.*\s{base}{path}/openapi.json\s", output), path
        password = banner_value(lines, "password")
        curl = f"try       curl -u {demo.API_LOGIN}:{password} {base}/api/groups "
        assert any(curl in line for line in lines)
