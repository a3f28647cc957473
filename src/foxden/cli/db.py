"""``foxden db``: schema migrations by hand (the server and every command apply them anyway)."""

from __future__ import annotations

from typing import Annotated

import typer
from alembic import command
from sqlalchemy import Connection

from foxden.cli.common import console, write
from foxden.storage import migrate

app = typer.Typer(help="Database schema.")


@app.command("upgrade")
def upgrade() -> None:
    """Apply pending migrations to the database named by FOXDEN_DATABASE_URL."""
    write(migrate.upgrade)
    console.print("schema is up to date")


@app.command("revision")
def revision(
    message: Annotated[str, typer.Option("-m", "--message", help="What the migration does.")],
) -> None:
    """Write a new migration from the difference between the database and tables.py."""
    write(_revision, message)


def _revision(conn: Connection, message: str) -> None:
    command.revision(migrate.config(conn), message=message, autogenerate=True)
