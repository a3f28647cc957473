"""Apply the Alembic migrations (one tree for both databases) on a connection.

``upgrade`` is a transaction body bringing any database to the schema of ``tables.py``;
``open_database`` runs it, and every CLI command and the server open the database through it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, String
from sqlalchemy.types import TypeEngine

from foxden.config import Settings
from foxden.storage.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def config(conn: Connection | None = None) -> Config:
    """An Alembic configuration on foxden's migrations, bound to ``conn`` if given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def compare_type(
    context: MigrationContext,
    _inspected_column: Column[object],
    _metadata_column: Column[object],
    inspected_type: TypeEngine[object],
    metadata_type: TypeEngine[object],
) -> bool | None:
    """Whether two column types differ, for autogenerate (None: Alembic's own comparison).

    SQLite ignores a string's length, so a length alone is no difference there; acting on it
    would rebuild the table, which foreign keys pointing at it forbid.
    """
    if (
        context.dialect.name == "sqlite"
        and isinstance(inspected_type, String)
        and isinstance(metadata_type, String)
        and inspected_type._type_affinity is metadata_type._type_affinity
    ):
        return False
    return None


def upgrade(conn: Connection) -> None:
    """Bring the schema to the newest revision."""
    command.upgrade(config(conn), "head")


async def open_database(settings: Settings) -> Database:
    """Open the configured database and bring its schema up to date."""
    db = Database(
        settings.database_url,
        write_batch=settings.write_batch,
        pool_size=settings.pg_pool_size,
        writers=settings.pg_writers,
    )
    try:
        await db.write(upgrade)
    except BaseException:
        await db.close()
        raise
    return db
