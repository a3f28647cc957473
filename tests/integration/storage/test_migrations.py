from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from foxden.config import Settings
from foxden.storage.migrate import open_database
from foxden.storage.tables import metadata
from tests.support.databases import Databases


def _differences(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(conn: Connection) -> set[str]:
    return set(conn.dialect.get_table_names(conn))


async def _upgrade_and_compare(url: str) -> tuple[list[object], set[str]]:
    db = await open_database(Settings(database_url=url))
    try:
        return await db.read(_differences), await db.read(_tables)
    finally:
        await db.close()


def test_upgrade_head_on_an_empty_database_equals_the_tables_module(
    databases: Databases,
) -> None:
    differences, tables = asyncio.run(_upgrade_and_compare(databases.empty()))
    assert differences == []
    assert set(metadata.tables) <= tables


def test_upgrading_twice_changes_nothing(databases: Databases) -> None:
    url = databases.empty()
    asyncio.run(_upgrade_and_compare(url))
    differences, _ = asyncio.run(_upgrade_and_compare(url))
    assert differences == []
