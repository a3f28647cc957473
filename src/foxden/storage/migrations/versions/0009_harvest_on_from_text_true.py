"""harvest on from text true

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

config_groups = sa.table(
    'config_groups',
    sa.column('id', sa.String),
    sa.column('configuration', sa.JSON),
    sa.column('harvest', sa.Boolean),
)


def upgrade() -> None:
    # Soracom's generated clients send a boolean parameter as the text "true", which groups
    # saved before 0009 stored without turning Harvest on: their flag is read again.
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(config_groups.c.id, config_groups.c.configuration).where(
            config_groups.c.harvest == sa.false()
        )
    )
    turned_on = [
        group_id
        for group_id, configuration in rows
        if str((configuration or {}).get('SoracomHarvest', {}).get('enabled')).lower() == 'true'
    ]
    if turned_on:
        conn.execute(
            sa.update(config_groups)
            .where(config_groups.c.id.in_(turned_on))
            .values(harvest=True)
        )


def downgrade() -> None:
    # Which flags 0009 turned on is not recorded; they stay as they are.
    pass
