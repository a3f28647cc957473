"""Seed 002 "Groups API": the group list and group information."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.auth import PrincipalDep
from foxden.api.sigfox_v1.paging import PageDep, Paging, next_page
from foxden.domain import groups as domain
from foxden.domain.principals import Principal
from foxden.storage import groups

router = APIRouter(tags=["Groups"])


class Group(BaseModel):
    """A group information record."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="The group's identifier.")
    name: str = Field(description="The group's name.")
    name_ci: str = Field(alias="nameCI", description="The group's name, case insensitive.")
    description: str | None = Field(None, description="Description of this group.")
    path: list[str] = Field(description="The group's parents' ids, the root first.")
    billable: bool = Field(description="True if the group is billable.")
    bss_id: str | None = Field(None, alias="bssId", description="The group BSS id.")


class GroupList(BaseModel):
    """A page of groups."""

    data: list[Group]
    paging: Paging | None = None


def to_api(group: domain.Group) -> Group:
    """The seed 002 shape of a group; empty values are left out."""
    return Group(
        id=group.id,
        name=group.name,
        name_ci=group.name_ci,
        description=group.description or None,
        path=list(group.path),
        billable=group.billable,
        bss_id=group.bss_id,
    )


def _children(
    conn: Connection, principal: Principal, parent_id: str, limit: int, offset: int
) -> list[domain.Group]:
    scope.group(conn, principal, parent_id)
    return groups.children(conn, parent_id, limit=limit, offset=offset)


@router.get(
    "/groups",
    response_model=GroupList,
    response_model_exclude_none=True,
    summary="Group list",
)
async def list_groups(
    request: Request,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageDep,
    parent_id: Annotated[
        str | None,
        Query(
            alias="parentId",
            pattern="^[0-9a-f]{24}$",
            description="Id of the group whose children are listed (default: your group).",
        ),
    ] = None,
) -> GroupList:
    """Lists the child groups of your group, or of ``parentId``."""
    parent = principal.group_id if parent_id is None else parent_id
    found = await db.read(_children, principal, parent, page.limit + 1, page.offset)
    return GroupList(
        data=[to_api(group) for group in found[: page.limit]],
        paging=next_page(request, settings, page, more=len(found) > page.limit),
    )


@router.get(
    "/groups/{group_id}",
    response_model=Group,
    response_model_exclude_none=True,
    summary="Group information",
)
async def get_group(
    db: Db,
    principal: PrincipalDep,
    group_id: Annotated[str, Path(description="The group identifier.")],
) -> Group:
    """Get the description of a particular group."""
    return to_api(await db.read(scope.group, principal, group_id))
