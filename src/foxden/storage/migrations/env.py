"""Alembic environment: runs on the connection handed over by ``foxden.storage.migrate``."""

from __future__ import annotations

from alembic import context

from foxden.storage.migrate import compare_type
from foxden.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `foxden db upgrade`, which supplies a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=compare_type,
)
with context.begin_transaction():
    context.run_migrations()
