"""Seed 002 "User API": the users holding a role in a group.

A user is listed for its roles in ``groupId`` itself; a parent group's users are asked for
with the parent's id. Each user shows only its roles in groups the caller may see.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.groups import Group
from foxden.api.sigfox_v1.groups import to_api as group_to_api
from foxden.api.sigfox_v1.paging import PageDep, Paging, next_page
from foxden.domain import groups as domain_groups
from foxden.domain import users as domain
from foxden.domain.principals import Principal
from foxden.storage import groups, users

router = APIRouter(tags=["Users"])


class CustomRole(BaseModel):
    """A custom role's information."""

    id: str = Field(description="The custom role's identifier.")
    name: str = Field(description="The custom role's name.")


class UserRole(BaseModel):
    """A custom role the user holds in a group."""

    model_config = ConfigDict(populate_by_name=True)

    group: Group = Field(description="The group's information.")
    custom_role: CustomRole = Field(alias="customRole", description="The custom role.")


class User(BaseModel):
    """A user information record."""

    model_config = ConfigDict(populate_by_name=True)

    first_name: str | None = Field(None, alias="firstName", description="The user's first name.")
    last_name: str | None = Field(None, alias="lastName", description="The user's last name.")
    email: str = Field(description="The user's email.")
    timezone: str | None = Field(None, description="The user's timezone.")
    creation_time: int = Field(
        alias="creationTime", description="The user's creation date, Unix milliseconds."
    )
    creation_date: str = Field(
        alias="creationDate", description="The user's creation date, in the user's timezone."
    )
    last_login: int | None = Field(
        None, alias="lastLogin", description="The user's last connection, Unix milliseconds."
    )
    last_login_date: str | None = Field(
        None, alias="lastLoginDate", description="The user's last connection, in its timezone."
    )
    user_roles: list[UserRole] = Field(
        alias="userRoles", description="The custom roles of this user, through groups."
    )


class UserList(BaseModel):
    """A page of users."""

    data: list[User]
    paging: Paging | None = None


def to_api(user: domain.User, groups_by_id: dict[str, domain_groups.Group]) -> User:
    """The seed 002 shape of a user; ``groups_by_id`` holds the groups of its roles."""
    logged_in = user.last_login_at
    return User(
        first_name=user.first_name or None,
        last_name=user.last_name or None,
        email=user.email,
        timezone=user.timezone or None,
        creation_time=user.created_at,
        creation_date=domain.java_date(user.created_at, user.timezone),
        last_login=logged_in,
        last_login_date=None if logged_in is None else domain.java_date(logged_in, user.timezone),
        user_roles=[
            UserRole(
                group=group_to_api(groups_by_id[held.group_id]),
                custom_role=CustomRole(id=held.role.id, name=held.role.name),
            )
            for held in user.roles
        ],
    )


def _users_in(
    conn: Connection, principal: Principal, group_id: str, limit: int, offset: int
) -> tuple[list[domain.User], dict[str, domain_groups.Group]]:
    scope.group(conn, principal, group_id)
    found = users.with_role_in(
        conn, group_id, visible_from=principal.group_id, limit=limit, offset=offset
    )
    groups_by_id: dict[str, domain_groups.Group] = {}
    for role_group_id in {held.group_id for user in found for held in user.roles}:
        group = groups.get(conn, role_group_id)
        assert group is not None  # a role's group is a foreign key, deleted with its roles
        groups_by_id[role_group_id] = group
    return found, groups_by_id


@router.get(
    "/users",
    response_model=UserList,
    response_model_exclude_none=True,
    summary="User list by Group",
)
async def list_users(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    group_id: Annotated[
        str | None,
        Query(
            alias="groupId",
            pattern="^[0-9a-f]{24}$",
            description="Id of the group whose users are listed (default: your group).",
        ),
    ] = None,
) -> UserList:
    """Lists all users registered with a role associated to a specific group."""
    group = principal.group_id if group_id is None else group_id
    found, groups_by_id = await db.read(_users_in, principal, group, page.limit + 1, page.offset)
    return UserList(
        data=[to_api(user, groups_by_id) for user in found[: page.limit]],
        paging=next_page(request, settings, page, more=len(found) > page.limit),
    )
