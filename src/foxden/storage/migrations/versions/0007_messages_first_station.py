"""messages first station

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not filled in for stored messages: which of several stations with the same reception time
    # reported first is not recorded, and a guess could answer a later station as the first.
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_station', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('first_station')
