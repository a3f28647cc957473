"""Tenants for tests: a group with an API user or a Soracom operator, made through storage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from foxden.domain import credentials
from foxden.storage import api_users, groups, operators
from tests.support.server import LiveServer


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
    password = credentials.new_password()

    def make(conn: Connection) -> Tenant:
        group = groups.create(conn, name, parent_id=parent_id)
        user = api_users.create(conn, group.id, password.stored)
        return Tenant(group.id, user.login, password.plain)

    return server.write(make)


def operator(server: LiveServer, name: str = "Operator") -> Operator:
    """A new top-level group made an operator, with one auth key."""
    secret = credentials.new_password()

    def make(conn: Connection) -> Operator:
        group = groups.create(conn, name)
        op = operators.create(conn, group.id)
        key_id = operators.add_auth_key(conn, op.id, secret.stored)
        return Operator(group.id, op.id, key_id, secret.plain)

    return server.write(make)
