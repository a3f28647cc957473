"""Sigfox API users: a login and an Argon2-hashed password, belonging to one group."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, update

from foxden.domain.clock import now_ms
from foxden.domain.errors import NotFound
from foxden.domain.ids import new_object_id
from foxden.storage.tables import api_users


@dataclass(frozen=True, slots=True)
class ApiUser:
    """A stored API user; the password exists only as ``password_hash``."""

    login: str
    group_id: str
    name: str
    password_hash: str


def create(
    conn: Connection,
    group_id: str,
    password_hash: str,
    *,
    name: str = "",
    login: str | None = None,
) -> ApiUser:
    """Create an API user of ``group_id``, with a fresh login unless one is given."""
    user = ApiUser(login or new_object_id(), group_id, name, password_hash)
    conn.execute(
        insert(api_users).values(
            login=user.login,
            group_id=group_id,
            name=name,
            password_hash=password_hash,
            created_at=now_ms(),
        )
    )
    return user


_GET = select(
    api_users.c.login, api_users.c.group_id, api_users.c.name, api_users.c.password_hash
).where(api_users.c.login == bindparam("login"))


def get(conn: Connection, login: str) -> ApiUser | None:
    """The API user with this login, or None (once per Sigfox API request: prebuilt)."""
    row = conn.execute(_GET, {"login": login}).first()
    return ApiUser(*row) if row else None


def regenerate(conn: Connection, login: str, password_hash: str) -> None:
    """Replace an API user's password, invalidating the old one."""
    done = conn.execute(
        update(api_users).where(api_users.c.login == login).values(password_hash=password_hash)
    )
    if done.rowcount == 0:
        raise NotFound(f"no API user {login}")
