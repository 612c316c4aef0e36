"""latency and loss per device: ICMP burst samples and hourly rollups

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('latency_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.DateTime(timezone=True), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('rtt_min_ms', sa.Double(), nullable=True),
    sa.Column('rtt_median_ms', sa.Double(), nullable=True),
    sa.Column('rtt_avg_ms', sa.Double(), nullable=True),
    sa.Column('rtt_max_ms', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_latency_rollups_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_latency_rollups'))
    )
    with op.batch_alter_table('latency_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_latency_rollups_device_hour', ['device_id', 'hour'], unique=True)
        batch_op.create_index('ix_latency_rollups_hour', ['hour'], unique=False)
    op.create_table('latency_samples',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('sampled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('received', sa.Integer(), nullable=False),
    sa.Column('rtt_min_ms', sa.Double(), nullable=True),
    sa.Column('rtt_avg_ms', sa.Double(), nullable=True),
    sa.Column('rtt_max_ms', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_latency_samples_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_latency_samples'))
    )
    with op.batch_alter_table('latency_samples', schema=None) as batch_op:
        batch_op.create_index('ix_latency_samples_device_time', ['device_id', 'sampled_at'], unique=False)
        batch_op.create_index('ix_latency_samples_time', ['sampled_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('latency_samples', schema=None) as batch_op:
        batch_op.drop_index('ix_latency_samples_time')
        batch_op.drop_index('ix_latency_samples_device_time')

    op.drop_table('latency_samples')
    with op.batch_alter_table('latency_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_latency_rollups_hour')
        batch_op.drop_index('ix_latency_rollups_device_hour')

    op.drop_table('latency_rollups')
