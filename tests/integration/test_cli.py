from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from foxden.cli import app
from foxden.config import Settings
from tests.support.databases import Databases
from tests.support.server import LiveServer

runner = CliRunner()


def foxden(database_url: str, *args: str) -> dict[str, str]:
    result = runner.invoke(app, list(args), env={"FOXDEN_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    parsed: dict[str, str] = json.loads(lines[0])
    return parsed


def test_admin_commands_provision_a_working_tenant(database_url: str) -> None:
    root = foxden(database_url, "admin", "create-group", "Acme", "--json")
    child = foxden(database_url, "admin", "create-group", "Water", "--parent", root["id"], "--json")
    user = foxden(database_url, "admin", "create-api-user", "--group", root["id"], "--json")
    assert set(user) == {"login", "password"}
    op = foxden(database_url, "admin", "create-operator", "--group", root["id"], "--json")
    assert op["operatorId"].startswith("OP") and len(op["operatorId"]) == 12
    device_type = foxden(
        database_url,
        "admin",
        "create-device-type",
        "--group",
        child["id"],
        "--name",
        "Meter",
        "--payload-config",
        "volume::uint:32",
        "--keep-alive",
        "60",
        "--json",
    )
    device = foxden(
        database_url,
        "admin",
        "create-device",
        "--device-type",
        device_type["id"],
        "--id",
        "1a2b",
        "--json",
    )
    assert device["id"] == "1A2B"
    assert len(device["pac"]) == 16 and int(device["pac"], 16) >= 0
    assert device["status"] == "ready"
    stocked = foxden(
        database_url,
        "admin",
        "create-device",
        "--device-type",
        device_type["id"],
        "--id",
        "1a2c",
        "--pac",
        "00112233445566aa",
        "--in-stock",
        "--json",
    )
    assert stocked == {"id": "1A2C", "pac": "00112233445566AA", "status": "instock"}
    station = foxden(
        database_url,
        "admin",
        "create-station",
        "--name",
        "Roof",
        "--lat",
        "43.6",
        "--lng",
        "1.44",
        "--json",
    )
    assert len(station["id"]) == 4 and len(station["token"]) >= 32

    live = LiveServer(Settings(database_url=database_url, demo=False))
    try:
        with httpx.Client(base_url=live.url) as client:
            auth = (user["login"], user["password"])
            groups = client.get("/api/groups", auth=auth).json()
            assert [g["id"] for g in groups["data"]] == [child["id"]]
            token = client.post(
                "/v1/auth", json={"authKeyId": op["authKeyId"], "authKey": op["authKey"]}
            )
            assert token.json()["operatorId"] == op["operatorId"]
    finally:
        live.stop()


def test_regenerate_api_user_invalidates_the_old_password(database_url: str) -> None:
    root = foxden(database_url, "admin", "create-group", "Acme", "--json")
    user = foxden(database_url, "admin", "create-api-user", "--group", root["id"], "--json")
    again = foxden(database_url, "admin", "regenerate-api-user", "--login", user["login"], "--json")
    assert again["login"] == user["login"] and again["password"] != user["password"]
    live = LiveServer(Settings(database_url=database_url, demo=False))
    try:
        with httpx.Client(base_url=live.url) as client:
            old = client.get("/api/groups", auth=(user["login"], user["password"]))
            assert old.status_code == 401
            new = client.get("/api/groups", auth=(again["login"], again["password"]))
            assert new.status_code == 200
    finally:
        live.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-group", "X", "--parent", "0" * 24], "no group"),
        (["create-api-user", "--group", "0" * 24], "no group"),
        (["create-device", "--device-type", "0" * 24, "--id", "1A"], "no device type"),
        (["create-device", "--device-type", "0" * 24, "--id", "XYZ"], "hex"),
        (["create-device", "--device-type", "0" * 24, "--id", "1A", "--pac", "12"], "PAC"),
        (
            ["create-device-type", "--group", "0" * 24, "--name", "X", "--payload-config", "a::x"],
            "position",
        ),
    ],
)
def test_bad_input_fails_with_a_message(database_url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["admin", *args], env={"FOXDEN_DATABASE_URL": database_url})
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_only_a_top_level_group_can_be_an_operator(database_url: str) -> None:
    root = foxden(database_url, "admin", "create-group", "Acme", "--json")
    child = foxden(database_url, "admin", "create-group", "Sub", "--parent", root["id"], "--json")
    result = runner.invoke(
        app,
        ["admin", "create-operator", "--group", child["id"]],
        env={"FOXDEN_DATABASE_URL": database_url},
    )
    assert result.exit_code == 1
    assert "not a top-level group" in result.output


def test_commands_migrate_an_empty_database_themselves(databases: Databases) -> None:
    created = foxden(databases.empty(), "admin", "create-group", "First", "--json")
    assert len(created["id"]) == 24


def test_config_template_lists_every_setting() -> None:
    result = runner.invoke(app, ["config", "template"])
    assert result.exit_code == 0
    for name in Settings.model_fields:
        assert f"FOXDEN_{name.upper()}=" in result.stdout
    assert "FOXDEN_DATABASE_URL=sqlite:///foxden.sqlite3" in result.stdout


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        (
            {"FOXDEN_PORT": "abc"},
            [],
            "FOXDEN_PORT: should be a valid integer, unable to parse string as an integer",
        ),
        ({"FOXDEN_PORT": "70000"}, [], "FOXDEN_PORT: should be less than or equal to 65535"),
        ({}, ["--port", "70000"], "--port: should be less than or equal to 65535"),
        ({"FOXDEN_DEMO": "maybe"}, [], "FOXDEN_DEMO: should be a valid boolean"),
        ({"FOXDEN_LOG_LEVEL": "loud"}, [], "FOXDEN_LOG_LEVEL: expected debug, info, warning or"),
        (
            {"FOXDEN_DATABASE_URL": "mysql://root:s3cretpw@db/x"},
            [],
            "FOXDEN_DATABASE_URL: expected sqlite:///... or postgresql://...",
        ),
    ],
)
def test_a_wrong_setting_is_named_as_written_with_exit_code_2(
    env: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["serve", *args], env=env)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"invalid configuration: {message}")
    assert "Traceback" not in result.output and "s3cretpw" not in result.output
