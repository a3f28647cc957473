"""Tenants for tests: a group with an API user or a Soracom operator, made through storage."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import Connection

from foxden.domain import credentials
from foxden.domain.device_types import PayloadType
from foxden.storage import api_users, device_types, groups, operators
from foxden.storage import callbacks as storage_callbacks
from foxden.storage import devices as storage_devices
from foxden.storage import stations as storage_stations
from tests.support.server import LiveServer

# Argon2 at its cheapest for the tests' own users: the server verifies a hash with the cost
# written in it, so every login stays a real Argon2 check, at a thousandth of the price.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def new_password() -> credentials.Credential:
    """A random password with a real, cheap Argon2 hash."""
    plain = secrets.token_hex(16)
    return credentials.Credential(plain, _CHEAP.hash(plain))


@dataclass(frozen=True)
class Tenant:
    group_id: str
    login: str
    password: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.login, self.password)


@dataclass(frozen=True)
class Operator:
    group_id: str
    operator_id: str
    auth_key_id: str
    auth_key: str


def tenant(server: LiveServer, name: str = "Tenant", parent_id: str | None = None) -> Tenant:
    """A new group (under ``parent_id``) with an API user."""
    password = new_password()

    def make(conn: Connection) -> Tenant:
        group = groups.create(conn, name, parent_id=parent_id)
        user = api_users.create(conn, group.id, password.stored)
        return Tenant(group.id, user.login, password.plain)

    return server.write(make)


def operator(server: LiveServer, name: str = "Operator") -> Operator:
    """A new top-level group made an operator, with one auth key."""
    secret = new_password()

    def make(conn: Connection) -> Operator:
        group = groups.create(conn, name)
        op = operators.create(conn, group.id)
        key_id = operators.add_auth_key(conn, op.id, secret.stored)
        return Operator(group.id, op.id, key_id, secret.plain)

    return server.write(make)


def owned_devices(server: LiveServer, owner: Tenant, *device_ids: str) -> str:
    """A new device type of ``owner`` with these devices; its id."""

    def make(conn: Connection) -> str:
        device_type = device_types.create(conn, owner.group_id, "Sensor")
        for device_id in device_ids:
            storage_devices.create(conn, device_id, device_type.id, "0" * 16)
        return device_type.id

    return server.write(make)


@dataclass(frozen=True)
class Fleet:
    """A tenant with a device type, devices and stations, ready to send uplinks."""

    tenant: Tenant
    device_type_id: str
    device_ids: tuple[str, ...]
    stations: tuple[tuple[str, str], ...]  # (station id, token)


def fleet(
    server: LiveServer,
    *,
    devices: int = 1,
    stations: int = 3,
    payload_config: str | None = None,
    callbacks: tuple[tuple[int, int, bool], ...] = ((0, 2, False),),
) -> Fleet:
    """A device type with ``callbacks`` (type, subtype, sendDuplicate), devices and stations."""
    owner = tenant(server, "Fleet")
    tokens = [credentials.new_token() for _ in range(stations)]

    def make(conn: Connection) -> Fleet:
        device_type = device_types.create(
            conn,
            owner.group_id,
            "Sensor",
            payload_type=PayloadType.CUSTOM if payload_config else PayloadType.NONE,
            payload_config=payload_config,
        )
        for callback_type, subtype, send_duplicate in callbacks:
            storage_callbacks.create(
                conn,
                device_type.id,
                "URL",
                callback_type,
                subtype,
                send_duplicate=send_duplicate,
                settings={"url": "http://127.0.0.1:9/sink", "httpMethod": "POST"},
            )
        ids = tuple(f"{0xF000 + n:X}" for n in range(devices))
        for device_id in ids:
            storage_devices.create(conn, device_id, device_type.id, "0" * 16)
        made = tuple(
            (storage_stations.create(conn, f"Station {n}", token.stored).id, token.plain)
            for n, token in enumerate(tokens)
        )
        return Fleet(owner, device_type.id, ids, made)

    return server.write(make)
