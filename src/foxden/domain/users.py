"""Users: people with a role in one or more groups (seed 002 ``userRoles``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Role:
    """A custom role, such as a read-only or a downlink operator role."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class UserRole:
    """One role a user holds in one group."""

    group_id: str
    role: Role


@dataclass(frozen=True, slots=True)
class User:
    """A person. Times are Unix milliseconds."""

    id: str
    email: str
    first_name: str
    last_name: str
    timezone: str
    created_at: int
    last_login_at: int | None
    roles: tuple[UserRole, ...]
