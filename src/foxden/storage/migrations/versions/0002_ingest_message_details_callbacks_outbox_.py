"""ingest: message details, callbacks, outbox, daily counts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 23:01:58.258451
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('callbacks',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('device_type_id', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('callback_type', sa.Integer(), nullable=False),
    sa.Column('callback_subtype', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('send_duplicate', sa.Boolean(), nullable=False),
    sa.Column('downlink_hook', sa.Boolean(), nullable=False),
    sa.Column('dead', sa.Boolean(), nullable=False),
    sa.Column('payload_config', sa.Text(), nullable=True),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['device_type_id'], ['device_types.id'], name=op.f('fk_callbacks_device_type_id_device_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks'))
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callbacks_device_type_id_callback_type_callback_subtype'), ['device_type_id', 'callback_type', 'callback_subtype'], unique=False)

    op.create_table('device_days',
    sa.Column('device_id', sa.String(length=8), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('uplinks', sa.Integer(), nullable=False),
    sa.Column('uplink_bytes', sa.Integer(), nullable=False),
    sa.Column('downlinks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_days_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('device_id', 'day', name=op.f('pk_device_days'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('callback_id', sa.String(length=24), nullable=True),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('station_id', sa.String(length=8), nullable=True),
    sa.Column('duplicate', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['callback_id'], ['callbacks.id'], name=op.f('fk_outbox_callback_id_callbacks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_outbox_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_state_due_at'), ['state', 'due_at'], unique=False)

    with op.batch_alter_table('device_types', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence_epoch', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence_epoch', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('last_rssi', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('last_snr', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('link_window', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('receptions', schema=None) as batch_op:
        batch_op.alter_column('rssi', existing_type=sa.Float(), nullable=True)
        batch_op.alter_column('snr', existing_type=sa.Float(), nullable=True)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='data'))
        batch_op.add_column(sa.Column('rssi', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('snr', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('stations', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('forwarded', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('service', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_device_id_seq_number_time'), ['device_id', 'seq_number', 'time'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('receptions', schema=None) as batch_op:
        batch_op.alter_column('snr', existing_type=sa.Float(), nullable=False)
        batch_op.alter_column('rssi', existing_type=sa.Float(), nullable=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_device_id_seq_number_time'))
        batch_op.drop_column('service')
        batch_op.drop_column('forwarded')
        batch_op.drop_column('stations')
        batch_op.drop_column('snr')
        batch_op.drop_column('rssi')
        batch_op.drop_column('kind')

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('link_window')
        batch_op.drop_column('last_snr')
        batch_op.drop_column('last_rssi')
        batch_op.drop_column('last_message_id')
        batch_op.drop_column('sequence_epoch')

    with op.batch_alter_table('device_types', schema=None) as batch_op:
        batch_op.drop_column('sequence_epoch')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_state_due_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_id'))

    op.drop_table('outbox')
    op.drop_table('device_days')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callbacks_device_type_id_callback_type_callback_subtype'))

    op.drop_table('callbacks')
