"""baseline

Revision ID: 0001
Revises:
Create Date: 2026-11-23 16:26:21.953457
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('credentials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('snmp_version', sa.String(length=5), nullable=True),
    sa.Column('community', sa.String(length=500), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=True),
    sa.Column('auth_protocol', sa.String(length=10), nullable=True),
    sa.Column('auth_key', sa.String(length=500), nullable=True),
    sa.Column('priv_protocol', sa.String(length=10), nullable=True),
    sa.Column('priv_key', sa.String(length=500), nullable=True),
    sa.Column('password', sa.String(length=500), nullable=True),
    sa.Column('key_file', sa.String(length=500), nullable=True),
    sa.Column('enable_secret', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials')),
    sa.UniqueConstraint('name', name=op.f('uq_credentials_name'))
    )
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=50), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_s', sa.Double(), nullable=True),
    sa.Column('devices_polled', sa.Integer(), nullable=False),
    sa.Column('devices_failed', sa.Integer(), nullable=False),
    sa.Column('overrun', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('errors', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started', ['job', 'started_at'], unique=False)

    op.create_table('outages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('root_cause_type', sa.String(length=20), nullable=False),
    sa.Column('root_cause', sa.String(length=300), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('affected_sites', sa.JSON(), nullable=False),
    sa.Column('affected_devices', sa.JSON(), nullable=False),
    sa.Column('flapping', sa.Boolean(), nullable=False),
    sa.Column('notified_open', sa.Boolean(), nullable=False),
    sa.Column('notified_close', sa.Boolean(), nullable=False),
    sa.Column('cause_text', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outages'))
    )
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.create_index('ix_outages_open', ['ended_at'], unique=False)

    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('district', sa.String(length=100), nullable=True),
    sa.Column('latitude', sa.Double(), nullable=True),
    sa.Column('longitude', sa.Double(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=50), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('name', name=op.f('uq_sites_name'))
    )
    op.create_table('ssh_host_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=100), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('key_type', sa.String(length=50), nullable=False),
    sa.Column('fingerprint', sa.String(length=200), nullable=False),
    sa.Column('key_base64', sa.Text(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ssh_host_keys'))
    )
    op.create_table('trap_stats',
    sa.Column('reason', sa.String(length=50), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sender', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('reason', name=op.f('pk_trap_stats'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=128), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('snmp_port', sa.Integer(), nullable=False),
    sa.Column('ssh_port', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('platform', sa.String(length=40), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('snmp_credential_id', sa.Integer(), nullable=True),
    sa.Column('ssh_credential_id', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('status_interval_s', sa.Integer(), nullable=True),
    sa.Column('counters_interval_s', sa.Integer(), nullable=True),
    sa.Column('discovery_interval_s', sa.Integer(), nullable=True),
    sa.Column('ssh_interval_s', sa.Integer(), nullable=True),
    sa.Column('poll_group', sa.String(length=50), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_devices_site_id_sites'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['snmp_credential_id'], ['credentials.id'], name=op.f('fk_devices_snmp_credential_id_credentials'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ssh_credential_id'], ['credentials.id'], name=op.f('fk_devices_ssh_credential_id_credentials'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('name', name=op.f('uq_devices_name'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('element_type', sa.String(length=20), nullable=False),
    sa.Column('element', sa.String(length=300), nullable=False),
    sa.Column('old_state', sa.String(length=20), nullable=True),
    sa.Column('new_state', sa.String(length=20), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('outage_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_events_outage_id_outages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_time', ['at'], unique=False)

    op.create_table('config_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('collected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('diff', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_config_versions_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_config_versions'))
    )
    with op.batch_alter_table('config_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_config_versions_device_id'), ['device_id'], unique=False)

    op.create_table('device_facts',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('sys_name', sa.String(length=255), nullable=True),
    sa.Column('sys_descr', sa.Text(), nullable=True),
    sa.Column('sys_object_id', sa.String(length=255), nullable=True),
    sa.Column('sys_location', sa.String(length=255), nullable=True),
    sa.Column('sys_contact', sa.String(length=255), nullable=True),
    sa.Column('vendor', sa.String(length=100), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('serial', sa.String(length=100), nullable=True),
    sa.Column('os_version', sa.String(length=255), nullable=True),
    sa.Column('profile', sa.String(length=50), nullable=True),
    sa.Column('uptime_s', sa.Double(), nullable=True),
    sa.Column('learned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_facts_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_device_facts'))
    )
    op.create_table('device_states',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_poll_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_ok_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('icmp_ok', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_states_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_device_states'))
    )
    op.create_table('interfaces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('if_index', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=True),
    sa.Column('alias', sa.String(length=255), nullable=True),
    sa.Column('if_type', sa.String(length=50), nullable=True),
    sa.Column('speed_bps', sa.BigInteger(), nullable=True),
    sa.Column('mtu', sa.Integer(), nullable=True),
    sa.Column('mac', sa.String(length=32), nullable=True),
    sa.Column('admin_status', sa.String(length=20), nullable=True),
    sa.Column('oper_status', sa.String(length=20), nullable=True),
    sa.Column('last_change', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('in_bps', sa.Double(), nullable=True),
    sa.Column('out_bps', sa.Double(), nullable=True),
    sa.Column('in_errors_per_s', sa.Double(), nullable=True),
    sa.Column('out_errors_per_s', sa.Double(), nullable=True),
    sa.Column('utilization_pct', sa.Double(), nullable=True),
    sa.Column('rx_dbm', sa.Double(), nullable=True),
    sa.Column('tx_dbm', sa.Double(), nullable=True),
    sa.Column('rx_low_alarm_dbm', sa.Double(), nullable=True),
    sa.Column('optics_polled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_interfaces_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interfaces')),
    sa.UniqueConstraint('device_id', 'name', name='uq_interfaces_device_name')
    )
    with op.batch_alter_table('interfaces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interfaces_device_id'), ['device_id'], unique=False)

    op.create_table('neighbors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('local_port', sa.String(length=100), nullable=False),
    sa.Column('protocol', sa.String(length=10), nullable=False),
    sa.Column('chassis_id', sa.String(length=255), nullable=False),
    sa.Column('chassis_id_kind', sa.String(length=30), nullable=False),
    sa.Column('port_id', sa.String(length=255), nullable=False),
    sa.Column('port_id_kind', sa.String(length=30), nullable=False),
    sa.Column('port_description', sa.String(length=255), nullable=True),
    sa.Column('system_name', sa.String(length=255), nullable=True),
    sa.Column('system_description', sa.Text(), nullable=True),
    sa.Column('management_address', sa.String(length=100), nullable=True),
    sa.Column('platform', sa.String(length=255), nullable=True),
    sa.Column('transport', sa.String(length=10), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('miss_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_neighbors_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_neighbors'))
    )
    with op.batch_alter_table('neighbors', schema=None) as batch_op:
        batch_op.create_index('ix_neighbors_device_port', ['device_id', 'local_port'], unique=False)

    op.create_table('node_positions',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('x', sa.Double(), nullable=False),
    sa.Column('y', sa.Double(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_node_positions_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_node_positions'))
    )
    op.create_table('poll_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_run_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=50), nullable=False),
    sa.Column('transport', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('completed', sa.String(length=200), nullable=False),
    sa.Column('error_kind', sa.String(length=30), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_poll_runs_device_id_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_run_id'], ['job_runs.id'], name=op.f('fk_poll_runs_job_run_id_job_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_runs'))
    )
    with op.batch_alter_table('poll_runs', schema=None) as batch_op:
        batch_op.create_index('ix_poll_runs_device_started', ['device_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_runs_job_run_id'), ['job_run_id'], unique=False)

    op.create_table('counter_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interface_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('in_bps_avg', sa.Double(), nullable=True),
    sa.Column('out_bps_avg', sa.Double(), nullable=True),
    sa.Column('in_bps_max', sa.Double(), nullable=True),
    sa.Column('out_bps_max', sa.Double(), nullable=True),
    sa.Column('errors', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['interface_id'], ['interfaces.id'], name=op.f('fk_counter_rollups_interface_id_interfaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_rollups'))
    )
    with op.batch_alter_table('counter_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_counter_rollups_iface_hour', ['interface_id', 'hour'], unique=True)

    op.create_table('counter_samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('interface_id', sa.Integer(), nullable=False),
    sa.Column('sampled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('in_octets', sa.BigInteger(), nullable=True),
    sa.Column('out_octets', sa.BigInteger(), nullable=True),
    sa.Column('in_errors', sa.BigInteger(), nullable=True),
    sa.Column('out_errors', sa.BigInteger(), nullable=True),
    sa.Column('in_discards', sa.BigInteger(), nullable=True),
    sa.Column('out_discards', sa.BigInteger(), nullable=True),
    sa.Column('counter_bits', sa.Integer(), nullable=False),
    sa.Column('uptime_s', sa.Double(), nullable=True),
    sa.Column('in_bps', sa.Double(), nullable=True),
    sa.Column('out_bps', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['interface_id'], ['interfaces.id'], name=op.f('fk_counter_samples_interface_id_interfaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_samples'))
    )
    with op.batch_alter_table('counter_samples', schema=None) as batch_op:
        batch_op.create_index('ix_counter_samples_iface_time', ['interface_id', 'sampled_at'], unique=False)

    op.create_table('links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('a_interface_id', sa.Integer(), nullable=False),
    sa.Column('b_interface_id', sa.Integer(), nullable=False),
    sa.Column('medium', sa.String(length=20), nullable=False),
    sa.Column('length_m', sa.Double(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('declared', sa.Boolean(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['a_interface_id'], ['interfaces.id'], name=op.f('fk_links_a_interface_id_interfaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['b_interface_id'], ['interfaces.id'], name=op.f('fk_links_b_interface_id_interfaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_links')),
    sa.UniqueConstraint('a_interface_id', 'b_interface_id', name='uq_links_ends')
    )
    op.create_table('optical_readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interface_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lane', sa.Integer(), nullable=True),
    sa.Column('rx_dbm', sa.Double(), nullable=True),
    sa.Column('tx_dbm', sa.Double(), nullable=True),
    sa.Column('temperature_c', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['interface_id'], ['interfaces.id'], name=op.f('fk_optical_readings_interface_id_interfaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_optical_readings'))
    )
    with op.batch_alter_table('optical_readings', schema=None) as batch_op:
        batch_op.create_index('ix_optical_iface_time', ['interface_id', 'read_at'], unique=False)

    op.create_table('link_states',
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['links.id'], name=op.f('fk_link_states_link_id_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('link_id', name=op.f('pk_link_states'))
    )


def downgrade() -> None:
    op.drop_table('link_states')
    with op.batch_alter_table('optical_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_optical_iface_time')

    op.drop_table('optical_readings')
    op.drop_table('links')
    with op.batch_alter_table('counter_samples', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_samples_iface_time')

    op.drop_table('counter_samples')
    with op.batch_alter_table('counter_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_counter_rollups_iface_hour')

    op.drop_table('counter_rollups')
    with op.batch_alter_table('poll_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_runs_job_run_id'))
        batch_op.drop_index('ix_poll_runs_device_started')

    op.drop_table('poll_runs')
    op.drop_table('node_positions')
    with op.batch_alter_table('neighbors', schema=None) as batch_op:
        batch_op.drop_index('ix_neighbors_device_port')

    op.drop_table('neighbors')
    with op.batch_alter_table('interfaces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interfaces_device_id'))

    op.drop_table('interfaces')
    op.drop_table('device_states')
    op.drop_table('device_facts')
    with op.batch_alter_table('config_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_config_versions_device_id'))

    op.drop_table('config_versions')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_time')

    op.drop_table('events')
    op.drop_table('devices')
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('trap_stats')
    op.drop_table('ssh_host_keys')
    op.drop_table('sites')
    with op.batch_alter_table('outages', schema=None) as batch_op:
        batch_op.drop_index('ix_outages_open')

    op.drop_table('outages')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_started')

    op.drop_table('job_runs')
    op.drop_table('credentials')
