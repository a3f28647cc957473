"""Users and the roles they hold in groups."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from foxden.domain.clock import now_ms
from foxden.domain.errors import Conflict
from foxden.domain.ids import new_object_id
from foxden.domain.users import Role, User, UserRole
from foxden.storage.tables import roles, user_roles, users


def create(
    conn: Connection,
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    timezone: str = "UTC",
) -> User:
    """Create a user without roles."""
    if conn.execute(select(users.c.id).where(users.c.email == email)).first():
        raise Conflict(f"a user with email {email} exists already")
    user = User(new_object_id(), email, first_name, last_name, timezone, now_ms(), None, ())
    conn.execute(
        insert(users).values(
            id=user.id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            timezone=timezone,
            created_at=user.created_at,
        )
    )
    return user


def grant(conn: Connection, user_id: str, group_id: str, role_name: str) -> Role:
    """Give a user a role in a group, creating the role on first use."""
    role_id = conn.execute(select(roles.c.id).where(roles.c.name == role_name)).scalar()
    if role_id is None:
        role_id = new_object_id()
        conn.execute(insert(roles).values(id=role_id, name=role_name))
    conn.execute(insert(user_roles).values(user_id=user_id, group_id=group_id, role_id=role_id))
    return Role(role_id, role_name)


def get(conn: Connection, user_id: str) -> User | None:
    """The user with this id and its roles, or None."""
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    if row is None:
        return None
    held = conn.execute(
        select(user_roles.c.group_id, roles.c.id, roles.c.name)
        .join(roles, roles.c.id == user_roles.c.role_id)
        .where(user_roles.c.user_id == user_id)
        .order_by(user_roles.c.group_id, roles.c.name)
    )
    return User(
        id=row["id"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        timezone=row["timezone"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        roles=tuple(UserRole(group_id, Role(rid, name)) for group_id, rid, name in held),
    )
