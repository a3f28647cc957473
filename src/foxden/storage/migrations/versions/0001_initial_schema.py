"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 22:34:05.993069
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('groups',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('billable', sa.Boolean(), nullable=False),
    sa.Column('bss_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups'))
    )
    op.create_table('roles',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('name', name=op.f('uq_roles_name'))
    )
    op.create_table('stations',
    sa.Column('id', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_stations_token_digest'))
    )
    op.create_table('users',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('first_name', sa.String(length=255), nullable=False),
    sa.Column('last_name', sa.String(length=255), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('last_login_at', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_users',
    sa.Column('login', sa.String(length=24), nullable=False),
    sa.Column('group_id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_api_users_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_api_users'))
    )
    with op.batch_alter_table('api_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_users_group_id'), ['group_id'], unique=False)

    op.create_table('device_types',
    sa.Column('id', sa.String(length=24), nullable=False),
    sa.Column('group_id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('keep_alive', sa.Integer(), nullable=False),
    sa.Column('payload_type', sa.String(length=16), nullable=False),
    sa.Column('payload_config', sa.Text(), nullable=True),
    sa.Column('downlink_mode', sa.Integer(), nullable=False),
    sa.Column('downlink_data_string', sa.String(length=16), nullable=True),
    sa.Column('alert_email', sa.String(length=320), nullable=True),
    sa.Column('contract_id', sa.String(length=24), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_device_types_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_types'))
    )
    with op.batch_alter_table('device_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_types_group_id'), ['group_id'], unique=False)

    op.create_table('group_tree',
    sa.Column('ancestor_id', sa.String(length=24), nullable=False),
    sa.Column('descendant_id', sa.String(length=24), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ancestor_id'], ['groups.id'], name=op.f('fk_group_tree_ancestor_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['descendant_id'], ['groups.id'], name=op.f('fk_group_tree_descendant_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ancestor_id', 'descendant_id', name=op.f('pk_group_tree'))
    )
    with op.batch_alter_table('group_tree', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_tree_descendant_id_depth'), ['descendant_id', 'depth'], unique=False)

    op.create_table('operators',
    sa.Column('id', sa.String(length=12), nullable=False),
    sa.Column('group_id', sa.String(length=24), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_operators_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators')),
    sa.UniqueConstraint('email', name=op.f('uq_operators_email')),
    sa.UniqueConstraint('group_id', name=op.f('uq_operators_group_id'))
    )
    op.create_table('user_roles',
    sa.Column('user_id', sa.String(length=24), nullable=False),
    sa.Column('group_id', sa.String(length=24), nullable=False),
    sa.Column('role_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_user_roles_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_user_roles_role_id_roles')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'group_id', 'role_id', name=op.f('pk_user_roles'))
    )
    op.create_table('api_tokens',
    sa.Column('api_key', sa.String(length=64), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.String(length=12), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_api_tokens_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('api_key', name=op.f('pk_api_tokens'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_tokens_operator_id'), ['operator_id'], unique=False)

    op.create_table('auth_keys',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.String(length=12), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_auth_keys_operator_id_operators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_keys'))
    )
    with op.batch_alter_table('auth_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_keys_operator_id'), ['operator_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.String(length=8), nullable=False),
    sa.Column('device_type_id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('pac', sa.String(length=16), nullable=False),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('token_type', sa.String(length=16), nullable=True),
    sa.Column('contract_id', sa.String(length=24), nullable=True),
    sa.Column('activation_time', sa.BigInteger(), nullable=True),
    sa.Column('token_end', sa.BigInteger(), nullable=True),
    sa.Column('free_messages', sa.Integer(), nullable=True),
    sa.Column('prevent_renewal', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', sa.BigInteger(), nullable=True),
    sa.Column('last_seq_number', sa.Integer(), nullable=True),
    sa.Column('average_snr', sa.Float(), nullable=True),
    sa.Column('average_rssi', sa.Float(), nullable=True),
    sa.Column('link_quality', sa.String(length=16), nullable=True),
    sa.Column('soracom_status', sa.String(length=16), nullable=False),
    sa.Column('soracom_group_id', sa.String(length=64), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('termination_enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('modified_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['device_type_id'], ['device_types.id'], name=op.f('fk_devices_device_type_id_device_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_device_type_id'), ['device_type_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('device_id', sa.String(length=8), nullable=False),
    sa.Column('device_type_id', sa.String(length=24), nullable=False),
    sa.Column('time', sa.BigInteger(), nullable=False),
    sa.Column('seq_number', sa.Integer(), nullable=False),
    sa.Column('data', sa.String(length=24), nullable=False),
    sa.Column('ack', sa.Boolean(), nullable=False),
    sa.Column('link_quality', sa.String(length=16), nullable=True),
    sa.Column('decoded', sa.JSON(), nullable=True),
    sa.Column('decode_error', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('radius', sa.Integer(), nullable=True),
    sa.Column('location_source', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_messages_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_device_id_time_id'), ['device_id', 'time', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_device_type_id_time_id'), ['device_type_id', 'time', 'id'], unique=False)

    op.create_table('receptions',
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('station_id', sa.String(length=8), nullable=False),
    sa.Column('rssi', sa.Float(), nullable=False),
    sa.Column('snr', sa.Float(), nullable=False),
    sa.Column('freq', sa.BigInteger(), nullable=True),
    sa.Column('time', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_receptions_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'station_id', name=op.f('pk_receptions'))
    )



def downgrade() -> None:

    op.drop_table('receptions')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_device_type_id_time_id'))
        batch_op.drop_index(batch_op.f('ix_messages_device_id_time_id'))

    op.drop_table('messages')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_device_type_id'))

    op.drop_table('devices')
    with op.batch_alter_table('auth_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_keys_operator_id'))

    op.drop_table('auth_keys')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_operator_id'))
        batch_op.drop_index(batch_op.f('ix_api_tokens_expires_at'))

    op.drop_table('api_tokens')
    op.drop_table('user_roles')
    op.drop_table('operators')
    with op.batch_alter_table('group_tree', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_tree_descendant_id_depth'))

    op.drop_table('group_tree')
    with op.batch_alter_table('device_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_types_group_id'))

    op.drop_table('device_types')
    with op.batch_alter_table('api_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_users_group_id'))

    op.drop_table('api_users')
    op.drop_table('users')
    op.drop_table('stations')
    op.drop_table('roles')
    op.drop_table('groups')

