"""Soracom groups, ``/groups``: an operator's sets of configuration that devices join with
``set_group``. foxden acts on ``SoracomHarvest.enabled`` (its devices' frames go to Harvest
Data); every other namespace is kept and returned as given. Another operator's group is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.soracom.auth import PrincipalDep
from foxden.api.soracom.paging import DEFAULT_LIMIT, MAX_LIMIT, link_next
from foxden.api.soracom.sigfox_devices import TagSet, TagUpdateRequest, tag_updates
from foxden.domain import config_groups as configs
from foxden.domain import tags as tagging
from foxden.domain.config_groups import ConfigGroup, Configuration, Namespace
from foxden.domain.errors import NotFound
from foxden.domain.principals import Principal
from foxden.storage import config_groups

router = APIRouter(tags=["Group"])

GroupId = Annotated[str, Path(description="ID of the target Group.")]
NamespacePath = Annotated[Namespace, Path(description="The configuration namespace.")]


class Group(BaseModel):
    """A group; times are Unix ms (``createdAt`` and ``lastModifiedAt`` repeat them under
    their older names)."""

    model_config = ConfigDict(populate_by_name=True)

    group_id: str = Field(alias="groupId")
    operator_id: str = Field(alias="operatorId")
    tags: dict[str, str]
    configuration: dict[str, dict[str, Any]]
    created_time: int = Field(alias="createdTime")
    last_modified_time: int = Field(alias="lastModifiedTime")
    created_at: int = Field(alias="createdAt")
    last_modified_at: int = Field(alias="lastModifiedAt")


class CreateGroupRequest(BaseModel):
    """The new group's tags and configuration."""

    tags: TagSet | None = None
    configuration: dict[Namespace, dict[str, Any]] | None = None


class GroupConfigurationUpdateRequest(BaseModel):
    """One parameter of a namespace to set."""

    key: str
    value: Any = Field(json_schema_extra={"nullable": False})


def to_api(group: ConfigGroup) -> Group:
    """The Soracom shape of a group."""
    return Group(
        group_id=group.id,
        operator_id=group.operator_id,
        tags=group.tags,
        configuration=group.configuration,
        created_time=group.created_at,
        last_modified_time=group.modified_at,
        created_at=group.created_at,
        last_modified_at=group.modified_at,
    )


def _operator(principal: Principal) -> str:
    assert principal.operator_id is not None  # Soracom credentials always name an operator
    return principal.operator_id


def _group(conn: Connection, principal: Principal, group_id: str) -> ConfigGroup:
    found = config_groups.get(conn, _operator(principal), group_id)
    if found is None:
        raise NotFound(f"Group {group_id} not found.")
    return found


Edit = Callable[[ConfigGroup], tuple[dict[str, str], Configuration]]


def _edit(conn: Connection, principal: Principal, group_id: str, edit: Edit) -> ConfigGroup:
    """Store the tags and configuration ``edit`` makes of the operator's group; the group."""
    group = _group(conn, principal, group_id)
    tags, configuration = edit(group)
    return config_groups.save(conn, group, tags=tags, configuration=configuration)


def _list(
    conn: Connection,
    principal: Principal,
    after: str | None,
    limit: int,
    tag: tagging.TagFilter | None,
) -> tuple[list[ConfigGroup], bool]:
    found = config_groups.of_operator(conn, _operator(principal), after=after)
    kept = [group for group in found if tag is None or tag.matches(group.tags)]
    return kept[:limit], len(kept) > limit


@router.get(
    "/groups",
    operation_id="listGroups",
    response_model=list[Group],
    summary="List Groups.",
)
async def list_groups(
    request: Request,
    response: Response,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    tag_name: Annotated[str | None, Query(description="Tag name of the group (exact).")] = None,
    tag_value: Annotated[str | None, Query(description="Tag value of the groups.")] = None,
    tag_value_match_mode: Annotated[
        tagging.MatchMode, Query(description="Search criteria for tag strings.")
    ] = tagging.MatchMode.EXACT,
    limit: Annotated[
        int, Query(ge=1, description="Maximum number of results per response page.")
    ] = DEFAULT_LIMIT,
    last_evaluated_key: Annotated[
        str | None, Query(description="The last Group ID retrieved on the previous page.")
    ] = None,
) -> list[Group]:
    """The operator's groups by ID, a page at a time."""
    tag = tagging.tag_filter(tag_name, tag_value, tag_value_match_mode)
    page, more = await db.read(_list, principal, last_evaluated_key, min(limit, MAX_LIMIT), tag)
    link_next(request, settings, response, page[-1].id if more else None)
    return [to_api(group) for group in page]


@router.post(
    "/groups",
    operation_id="createGroup",
    status_code=status.HTTP_201_CREATED,
    response_model=Group,
    summary="Create Group",
)
async def create_group(db: Db, principal: PrincipalDep, body: CreateGroupRequest) -> Group:
    """Create a group with tags and configuration (``SoracomHarvest.enabled`` turns Harvest
    Data on for its devices)."""
    tags = tagging.checked((body.tags or {}).items())
    configuration = {ns.value: dict(params) for ns, params in (body.configuration or {}).items()}
    created = await db.write(config_groups.create, _operator(principal), tags, configuration)
    return to_api(created)


@router.get(
    "/groups/{group_id}",
    operation_id="getGroup",
    response_model=Group,
    summary="Get Group",
)
async def get_group(db: Db, principal: PrincipalDep, group_id: GroupId) -> Group:
    """One group."""
    return to_api(await db.read(_group, principal, group_id))


def _delete(conn: Connection, principal: Principal, group_id: str) -> None:
    config_groups.remove(conn, _group(conn, principal, group_id).id)


@router.delete(
    "/groups/{group_id}",
    operation_id="deleteGroup",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete Group",
)
async def delete_group(db: Db, principal: PrincipalDep, group_id: GroupId) -> Response:
    """Delete a group; refused (400) while devices are in it."""
    await db.write(_delete, principal, group_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/groups/{group_id}/tags",
    operation_id="putGroupTags",
    response_model=Group,
    summary="Update Group Tags",
)
async def put_group_tags(
    db: Db,
    principal: PrincipalDep,
    group_id: GroupId,
    body: Annotated[list[TagUpdateRequest], Body(description="Tags to insert or update.")],
) -> Group:
    """Add tags to the group, replacing the values of those it has."""
    tags = tag_updates(body)
    return to_api(
        await db.write(_edit, principal, group_id, lambda g: ({**g.tags, **tags}, g.configuration))
    )


@router.delete(
    "/groups/{group_id}/tags/{tag_name:path}",
    operation_id="deleteGroupTag",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete Group Tag",
)
async def delete_group_tag(
    db: Db,
    principal: PrincipalDep,
    group_id: GroupId,
    tag_name: Annotated[str, Path(description="Tag name to be deleted, percent-encoded.")],
) -> Response:
    """Remove a tag from the group; 404 when it has none by that name."""

    def untagged(group: ConfigGroup) -> tuple[dict[str, str], Configuration]:
        if tag_name not in group.tags:
            raise NotFound(f"Group {group_id} has no tag {tag_name!r}.")
        return {k: v for k, v in group.tags.items() if k != tag_name}, group.configuration

    await db.write(_edit, principal, group_id, untagged)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/groups/{group_id}/configuration/{namespace}",
    operation_id="putConfigurationParameters",
    response_model=Group,
    summary="Update Group Configuration Parameters",
)
async def put_configuration_parameters(
    db: Db,
    principal: PrincipalDep,
    group_id: GroupId,
    namespace: NamespacePath,
    body: Annotated[list[GroupConfigurationUpdateRequest], Body(description="Parameters to set.")],
) -> Group:
    """Set parameters of one namespace of the group's configuration."""
    parameters = [(parameter.key, parameter.value) for parameter in body]
    return to_api(
        await db.write(
            _edit,
            principal,
            group_id,
            lambda g: (g.tags, configs.with_parameters(g.configuration, namespace, parameters)),
        )
    )


@router.delete(
    "/groups/{group_id}/configuration/{namespace}",
    operation_id="deleteConfigurationNamespace",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete Group Configuration Namespace",
)
async def delete_configuration_namespace(
    db: Db, principal: PrincipalDep, group_id: GroupId, namespace: NamespacePath
) -> Response:
    """Remove a namespace from the group's configuration; 400 when it has none."""
    await db.write(
        _edit,
        principal,
        group_id,
        lambda g: (g.tags, configs.without_namespace(g.configuration, namespace)),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/groups/{group_id}/configuration/{namespace}/{name:path}",
    operation_id="deleteConfigurationParameter",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete Group Configuration Parameters",
)
async def delete_configuration_parameter(
    db: Db,
    principal: PrincipalDep,
    group_id: GroupId,
    namespace: NamespacePath,
    name: Annotated[str, Path(description="Parameter name to be deleted, percent-encoded.")],
) -> Response:
    """Remove one parameter from a namespace of the group's configuration."""
    await db.write(
        _edit,
        principal,
        group_id,
        lambda g: (g.tags, configs.without_parameter(g.configuration, namespace, name)),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
