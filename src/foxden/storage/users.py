"""Users and the roles they hold in groups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, RowMapping, bindparam, insert, select, update

from foxden.domain.clock import now_ms
from foxden.domain.errors import Conflict, NotFound
from foxden.domain.ids import new_object_id
from foxden.domain.users import Role, User, UserRole
from foxden.storage.tables import group_tree, roles, user_roles, users

# The user list of seed 002: a user once however many roles it holds in the group.
_WITH_ROLE_IN = (
    select(users)
    .where(
        users.c.id.in_(
            select(user_roles.c.user_id).where(user_roles.c.group_id == bindparam("group_id"))
        )
    )
    .order_by(users.c.created_at, users.c.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
# Their roles in the groups at or below ``visible_from``, the groups nearest it first.
_VISIBLE_ROLES = (
    select(user_roles.c.user_id, user_roles.c.group_id, roles.c.id, roles.c.name)
    .join(roles, roles.c.id == user_roles.c.role_id)
    .join(group_tree, group_tree.c.descendant_id == user_roles.c.group_id)
    .where(
        group_tree.c.ancestor_id == bindparam("visible_from"),
        user_roles.c.user_id.in_(bindparam("user_ids", expanding=True)),
    )
    .order_by(group_tree.c.depth, user_roles.c.group_id, roles.c.name)
)


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


def record_login(conn: Connection, user_id: str, at: int | None = None) -> None:
    """Note that the user logged in at ``at`` (Unix ms; default now)."""
    changed = conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(last_login_at=now_ms() if at is None else at)
    ).rowcount
    if not changed:
        raise NotFound(f"no user {user_id}")


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
    return _to_user(row, _to_roles(held))


def with_role_in(
    conn: Connection, group_id: str, *, visible_from: str, limit: int, offset: int = 0
) -> list[User]:
    """One page of the users holding a role in ``group_id``, oldest first.

    Each user carries only its roles in ``visible_from`` and the groups below it: a role in a
    group outside the caller's tree is another tenant's business.
    """
    rows = (
        conn.execute(_WITH_ROLE_IN, {"group_id": group_id, "limit": limit, "offset": offset})
        .mappings()
        .all()
    )
    if not rows:
        return []
    held: dict[str, list[tuple[str, str, str]]] = {row["id"]: [] for row in rows}
    found = conn.execute(_VISIBLE_ROLES, {"visible_from": visible_from, "user_ids": list(held)})
    for user_id, role_group_id, role_id, role_name in found:
        held[user_id].append((role_group_id, role_id, role_name))
    return [_to_user(row, _to_roles(held[row["id"]])) for row in rows]


def _to_roles(held: Iterable[Sequence[str]]) -> tuple[UserRole, ...]:
    return tuple(UserRole(group_id, Role(role_id, name)) for group_id, role_id, name in held)


def _to_user(row: RowMapping, held: tuple[UserRole, ...]) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        timezone=row["timezone"],
        created_at=row["created_at"],
        last_login_at=row["last_login_at"],
        roles=held,
    )
