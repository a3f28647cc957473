"""Soracom groups of an operator: every read and write is scoped by the operator's id."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, delete, exists, insert, select, update

from foxden.domain.clock import now_ms
from foxden.domain.config_groups import ConfigGroup, Configuration, harvest_enabled
from foxden.domain.errors import Conflict
from foxden.domain.ids import new_config_group_id
from foxden.storage.tables import config_groups, devices


def create(
    conn: Connection, operator_id: str, tags: dict[str, str], configuration: Configuration
) -> ConfigGroup:
    """Create a group of the operator and return it."""
    now = now_ms()
    group = ConfigGroup(new_config_group_id(), operator_id, now, now, tags, configuration)
    conn.execute(
        insert(config_groups).values(
            id=group.id,
            operator_id=operator_id,
            tags=tags,
            configuration=configuration,
            harvest=harvest_enabled(configuration),
            created_at=now,
            modified_at=now,
        )
    )
    return group


def get(conn: Connection, operator_id: str, group_id: str) -> ConfigGroup | None:
    """The operator's group with this id, or None (also for another operator's)."""
    row = (
        conn.execute(
            select(config_groups).where(
                config_groups.c.id == group_id, config_groups.c.operator_id == operator_id
            )
        )
        .mappings()
        .first()
    )
    return _to_group(row) if row else None


def of_operator(conn: Connection, operator_id: str, *, after: str | None) -> list[ConfigGroup]:
    """The operator's groups by id, those after ``after`` only."""
    query = select(config_groups).where(config_groups.c.operator_id == operator_id)
    if after is not None:
        query = query.where(config_groups.c.id > after)
    rows = conn.execute(query.order_by(config_groups.c.id)).mappings()
    return [_to_group(row) for row in rows]


def save(
    conn: Connection, group: ConfigGroup, *, tags: dict[str, str], configuration: Configuration
) -> ConfigGroup:
    """Store new tags and configuration of a group and return it as stored."""
    now = now_ms()
    conn.execute(
        update(config_groups)
        .where(config_groups.c.id == group.id)
        .values(
            tags=tags,
            configuration=configuration,
            harvest=harvest_enabled(configuration),
            modified_at=now,
        )
    )
    return ConfigGroup(group.id, group.operator_id, group.created_at, now, tags, configuration)


def remove(conn: Connection, group_id: str) -> None:
    """Delete a group; Conflict while devices are in it (``unset_group`` them first)."""
    if conn.execute(select(exists().where(devices.c.soracom_group_id == group_id))).scalar():
        raise Conflict(f"Group {group_id} still has devices; remove them from it first.")
    conn.execute(delete(config_groups).where(config_groups.c.id == group_id))


def _to_group(row: RowMapping) -> ConfigGroup:
    return ConfigGroup(
        id=row["id"],
        operator_id=row["operator_id"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        tags=dict(row["tags"]),
        configuration=dict(row["configuration"]),
    )
