"""Devices' Soracom tags, a row each: a tag filter is an index lookup, not a JSON scan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import ColumnElement, Connection, bindparam, delete, exists, func, insert, select

from foxden.domain.tags import MatchMode, TagFilter
from foxden.storage.tables import device_tags, devices

_OF = select(device_tags.c.device_id, device_tags.c.name, device_tags.c.value).where(
    device_tags.c.device_id.in_(bindparam("ids", expanding=True))
)


def of(conn: Connection, device_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """The tags of each device named, by device id (an empty dict for one without tags)."""
    found: dict[str, dict[str, str]] = {device_id: {} for device_id in device_ids}
    if device_ids:
        for device_id, name, value in conn.execute(_OF, {"ids": list(device_ids)}):
            found[device_id][name] = value
    return found


def put(conn: Connection, device_id: str, tags: Mapping[str, str]) -> None:
    """Add the tags to the device, replacing the values of those it has already."""
    if not tags:
        return
    conn.execute(
        delete(device_tags).where(
            device_tags.c.device_id == device_id, device_tags.c.name.in_(list(tags))
        )
    )
    conn.execute(
        insert(device_tags),
        [{"device_id": device_id, "name": name, "value": value} for name, value in tags.items()],
    )


def remove(conn: Connection, device_id: str, name: str) -> bool:
    """Remove a tag from the device; False if it had none by that name."""
    removed = conn.execute(
        delete(device_tags).where(device_tags.c.device_id == device_id, device_tags.c.name == name)
    )
    return removed.rowcount > 0


def has(tag: TagFilter) -> ColumnElement[bool]:
    """A condition on ``devices`` rows: the device carries the tag the filter names."""
    if tag.mode is MatchMode.PREFIX:
        # Not LIKE: SQLite's ignores case, and a prefix match must not on either database.
        wanted = func.substr(device_tags.c.value, 1, len(tag.value)) == tag.value
    else:
        wanted = device_tags.c.value == tag.value
    return exists().where(
        device_tags.c.device_id == devices.c.id, device_tags.c.name == tag.name, wanted
    )
