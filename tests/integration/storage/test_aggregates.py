from __future__ import annotations

import pytest
from sqlalchemy import Connection

from foxden.domain import credentials
from foxden.domain.device_types import DownlinkMode, PayloadType
from foxden.domain.devices import DeviceState, SoracomStatus, Token, TokenType
from foxden.domain.errors import Conflict
from foxden.storage import device_tags, device_types, devices, groups, stations, users
from tests.support.server import LiveServer


def test_device_types_and_devices_round_trip(server: LiveServer) -> None:
    def make(conn: Connection) -> tuple[str, str]:
        group = groups.create(conn, "Acme")
        device_type = device_types.create(
            conn,
            group.id,
            "Meter",
            description="Water meters",
            keep_alive=120,
            payload_type=PayloadType.CUSTOM,
            payload_config="volume::uint:32",
            downlink_mode=DownlinkMode.CALLBACK,
            downlink_data_string="deadbeefcafebabe",
            alert_email="ops@example.com",
        )
        token = Token(TokenType.CONTRACT, "c" * 24, 1_700_000_000_000, end=1_800_000_000_000)
        devices.create(
            conn,
            "1A2B",
            device_type.id,
            "0123456789ABCDEF",
            lat=43.5,
            lng=1.25,
            token=token,
        )
        device_tags.put(conn, "1A2B", {"site": "north"})
        return group.id, device_type.id

    group_id, device_type_id = server.write(make)

    def check(conn: Connection) -> None:
        device_type = device_types.get(conn, device_type_id)
        assert device_type is not None
        assert (device_type.group_id, device_type.keep_alive) == (group_id, 120)
        assert device_type.payload_type is PayloadType.CUSTOM
        assert device_type.payload_config == "volume::uint:32"
        assert device_type.downlink_mode is DownlinkMode.CALLBACK
        assert device_type.downlink_data_string == "deadbeefcafebabe"
        device = devices.get(conn, "1A2B")
        assert device is not None
        assert device.name == "Device 1A2B"
        assert (device.pac, device.lat, device.lng) == ("0123456789ABCDEF", 43.5, 1.25)
        assert device.token == Token(
            TokenType.CONTRACT, "c" * 24, 1_700_000_000_000, end=1_800_000_000_000
        )
        assert device.state is DeviceState.OK
        assert device.soracom_status is SoracomStatus.READY
        assert device_tags.of(conn, ["1A2B"]) == {"1A2B": {"site": "north"}}
        assert device.last_seen_at is None
        assert devices.count(conn, device_type_id) == 1

    server.read(check)
    with pytest.raises(Conflict):
        server.write(lambda conn: devices.create(conn, "1A2B", device_type_id, "0" * 16))


def test_users_hold_roles_per_group(server: LiveServer) -> None:
    def make(conn: Connection) -> tuple[str, str, str]:
        root = groups.create(conn, "Root")
        child = groups.create(conn, "Child", parent_id=root.id)
        user = users.create(conn, "ada@example.com", first_name="Ada", last_name="Lovelace")
        users.grant(conn, user.id, root.id, "SUPPORT")
        users.grant(conn, user.id, child.id, "OPT_DOWNLINK")
        return user.id, root.id, child.id

    user_id, root_id, child_id = server.write(make)
    user = server.read(users.get, user_id)
    assert user is not None
    assert (user.email, user.first_name, user.timezone) == ("ada@example.com", "Ada", "UTC")
    held = {(role.group_id, role.role.name) for role in user.roles}
    assert held == {(root_id, "SUPPORT"), (child_id, "OPT_DOWNLINK")}
    with pytest.raises(Conflict):
        server.write(lambda conn: users.create(conn, "ada@example.com"))


def test_stations_get_distinct_ids_and_keep_their_position(server: LiveServer) -> None:
    def make(conn: Connection) -> list[str]:
        made = [
            stations.create(conn, f"S{n}", credentials.digest(f"t{n}"), lat=43.0 + n, lng=1.0)
            for n in range(20)
        ]
        return [station.id for station in made]

    ids = server.write(make)
    assert len(set(ids)) == 20
    found = server.read(stations.find)
    assert sorted(ids) == [station.id for station in found]
    assert {station.lat for station in found} == {43.0 + n for n in range(20)}
    with pytest.raises(Conflict):
        server.write(
            lambda conn: stations.create(conn, "again", credentials.digest("x"), station_id=ids[0])
        )
