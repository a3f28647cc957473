from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select

from foxden.config import Settings
from foxden.domain.errors import NotFound
from foxden.storage import groups
from foxden.storage.db import Database
from foxden.storage.migrate import open_database
from foxden.storage.tables import groups as groups_table


def run(url: str, scenario: Callable[[Database], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        db = await open_database(Settings(database_url=url))
        try:
            await scenario(db)
        finally:
            await db.close()

    asyncio.run(main())


def _add(conn: Connection, name: str) -> str:
    return groups.create(conn, name).id


def _names(conn: Connection) -> list[str]:
    return sorted(conn.execute(select(groups_table.c.name)).scalars())


def _fail_after_insert(conn: Connection, name: str) -> None:
    conn.execute(insert(groups_table).values(id="f" * 24, name=name, description="", created_at=0))
    raise NotFound("on purpose")


def test_concurrent_writes_are_all_committed(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        ids = await asyncio.gather(*(db.write(_add, f"g{n:03d}") for n in range(300)))
        assert len(set(ids)) == 300
        assert await db.read(_names) == [f"g{n:03d}" for n in range(300)]

    run(database_url, scenario)


def test_a_failing_body_is_rolled_back_alone(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        results = await asyncio.gather(
            db.write(_add, "before"),
            db.write(_fail_after_insert, "doomed"),
            db.write(_add, "after"),
            return_exceptions=True,
        )
        assert isinstance(results[1], NotFound)
        assert await db.read(_names) == ["after", "before"]

    run(database_url, scenario)


def test_a_lone_failing_body_leaves_nothing_behind(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        with pytest.raises(NotFound):
            await db.write(_fail_after_insert, "doomed")
        assert await db.read(_names) == []

    run(database_url, scenario)


def test_reads_see_committed_writes(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        await db.write(_add, "one")
        count = await db.read(
            lambda conn: conn.execute(select(func.count()).select_from(groups_table)).scalar_one()
        )
        assert count == 1

    run(database_url, scenario)


def test_a_read_during_a_stream_of_writes_is_answered(database_url: str) -> None:
    async def scenario(db: Database) -> None:
        writes = [asyncio.ensure_future(db.write(_add, f"w{n}")) for n in range(200)]
        names = await db.read(_names)
        assert len(names) <= 200
        await asyncio.gather(*writes)
        assert len(await db.read(_names)) == 200

    run(database_url, scenario)
