"""Soracom Harvest Data reads, ``/data``: the frames written while a device's group had Harvest
on, as ``DataEntry`` (``time`` in Unix **milliseconds**). foxden's resources are Sigfox devices;
any other resource type has nothing to show.

A page's next key is the last entry's time, as Soracom's is; when the next entry has that same
millisecond, the key also carries the last entry's id (``<time>.<id>``), so that following the
keys returns every entry exactly once.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from foxden.api.deps import Db, SettingsDep
from foxden.api.sigfox_v1 import scope
from foxden.api.sigfox_v1.paging import MAX_TIME
from foxden.api.soracom.auth import PrincipalDep
from foxden.api.soracom.paging import DEFAULT_LIMIT, MAX_LIMIT, link_next
from foxden.domain import harvest
from foxden.domain.errors import InvalidInput, NotFound
from foxden.domain.principals import Principal
from foxden.storage import harvest as harvest_store
from foxden.storage.harvest import After
from foxden.storage.tables import FIRST_BIGINT, LAST_BIGINT

router = APIRouter(tags=["DataEntry"])

ENTRIES_DEFAULT_LIMIT = 10
ENTRIES_MAX_LIMIT = 1000
# Unix ms (any a 64-bit column holds, as a time stored before frames' times were bounded), and
# a message id.
_KEY = re.compile(r"^(-?[0-9]{1,19})(?:\.([0-9]{1,19}))?$")
_INT64 = range(FIRST_BIGINT, LAST_BIGINT + 1)


class ResourceType(enum.StrEnum):
    """Harvest Data's resource types."""

    SUBSCRIBER = "Subscriber"
    LORA_DEVICE = "LoraDevice"
    SIM = "Sim"
    SIGFOX_DEVICE = "SigfoxDevice"
    DEVICE = "Device"
    SORA_CAM = "SoraCam"


class Sort(enum.StrEnum):
    """Latest entry first, or oldest first."""

    DESC = "desc"
    ASC = "asc"


class DataEntry(BaseModel):
    """One entry of Harvest Data."""

    model_config = ConfigDict(populate_by_name=True)

    content: str
    content_type: str = Field(alias="contentType")
    resource_id: str = Field(alias="resourceId")
    resource_type: ResourceType = Field(alias="resourceType")
    time: int


class DataResourceMetadata(BaseModel):
    """A resource with entries, and when its last one was written (Unix ms)."""

    model_config = ConfigDict(populate_by_name=True)

    resource_id: str = Field(alias="resourceId")
    resource_type: ResourceType = Field(alias="resourceType")
    last_modified_time: int = Field(alias="lastModifiedTime")


@dataclass(frozen=True, slots=True)
class EntryQuery:
    """Which entries a request asks for; times in Unix ms, both ends included."""

    since: int | None
    until: int | None
    sort: Sort
    limit: int
    after: After | None


async def entry_query(
    since: Annotated[
        int | None,
        Query(
            alias="from", ge=0, le=MAX_TIME, description="Start of the period (UNIX time in ms)."
        ),
    ] = None,
    until: Annotated[
        int | None,
        Query(alias="to", ge=0, le=MAX_TIME, description="End of the period (UNIX time in ms)."),
    ] = None,
    sort: Annotated[Sort, Query(description="Sort order of data entries.")] = Sort.DESC,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=ENTRIES_MAX_LIMIT,
            description="Maximum number of data entries to retrieve (1 to 1000).",
        ),
    ] = ENTRIES_DEFAULT_LIMIT,
    last_evaluated_key: Annotated[
        str | None,
        Query(
            pattern=_KEY.pattern,
            description="The `x-soracom-next-key` header of the previous response.",
        ),
    ] = None,
) -> EntryQuery:
    """The query parameters of an entry list (a coroutine: run on the event loop)."""
    return EntryQuery(since, until, sort, limit, _after(last_evaluated_key))


EntryQueryDep = Annotated[EntryQuery, Depends(entry_query)]


def _after(key: str | None) -> After | None:
    if not key:
        return None
    match = _KEY.fullmatch(key)
    if match is None:
        raise InvalidInput(f"last_evaluated_key: not a key this API returned: {key!r}")
    time, message_id = (int(part) for part in match.groups(default="0"))
    if time not in _INT64 or message_id not in _INT64:
        raise InvalidInput(f"last_evaluated_key: not a key this API returned: {key!r}")
    return After(time, message_id if match[2] else None)


def device_entries(
    conn: Connection, principal: Principal, device_id: str, query: EntryQuery
) -> tuple[list[DataEntry], str | None]:
    """A page of a visible device's entries, and the key of the next page (None: the last)."""
    device, _ = scope.device(conn, principal, device_id)
    found = harvest_store.entries(
        conn,
        device.id,
        since=query.since,
        until=query.until,
        ascending=query.sort is Sort.ASC,
        after=query.after,
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    entries = [
        DataEntry(
            content=harvest.content(message),
            content_type=harvest.CONTENT_TYPE,
            resource_id=message.device_id,
            resource_type=ResourceType.SIGFOX_DEVICE,
            time=message.time,
        )
        for message in page
    ]
    key = None
    if len(found) > query.limit:
        last, following = found[query.limit - 1], found[query.limit]
        key = str(last.time) if following.time != last.time else f"{last.time}.{last.id}"
    return entries, key


@router.get(
    "/data/{resource_type}/{resource_id}",
    operation_id="getDataEntries",
    response_model=list[DataEntry],
    summary="Get data sent to Harvest Data from a resource.",
)
async def get_data_entries(
    request: Request,
    response: Response,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    resource_type: Annotated[ResourceType, Path(description="Type of data source resource.")],
    resource_id: Annotated[str, Path(description="ID of data source resource.")],
    query: EntryQueryDep,
) -> list[DataEntry]:
    """A resource's entries, a page at a time; foxden's resources are Sigfox devices."""
    if resource_type is not ResourceType.SIGFOX_DEVICE:
        raise NotFound(f"No {resource_type.value} {resource_id}: foxden serves Sigfox devices.")
    page, key = await db.read(device_entries, principal, resource_id, query)
    link_next(request, settings, response, key)
    return page


@router.get(
    "/data/resources",
    operation_id="listDataSourceResources",
    response_model=list[DataResourceMetadata],
    summary="Get the list of data source resources",
)
async def list_data_source_resources(
    request: Request,
    response: Response,
    db: Db,
    settings: SettingsDep,
    principal: PrincipalDep,
    resource_type: Annotated[
        ResourceType | None, Query(description="Type of data source resource.")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, description="Maximum number of resources to retrieve.")
    ] = DEFAULT_LIMIT,
    last_evaluated_key: Annotated[
        str | None, Query(description="The `x-soracom-next-key` header of the previous response.")
    ] = None,
) -> list[DataResourceMetadata]:
    """The operator's devices with Harvest entries, by device ID, a page at a time."""
    if resource_type not in (None, ResourceType.SIGFOX_DEVICE):
        return []
    size = min(limit, MAX_LIMIT)
    found = await db.read(
        harvest_store.resources, principal.group_id, after=last_evaluated_key, limit=size + 1
    )
    page = [
        DataResourceMetadata(
            resource_id=device_id,
            resource_type=ResourceType.SIGFOX_DEVICE,
            last_modified_time=written_at,
        )
        for device_id, written_at in found[:size]
    ]
    link_next(request, settings, response, page[-1].resource_id if len(found) > size else None)
    return page
