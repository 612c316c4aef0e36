"""notification routes, outage notices and planned works notices

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 20:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=63), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_routes')),
    sa.UniqueConstraint('name', name=op.f('uq_notification_routes_name'))
    )
    op.create_table('outage_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('route', sa.String(length=63), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['outage_id'], ['outages.id'], name=op.f('fk_outage_notices_outage_id_outages'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_notices'))
    )
    with op.batch_alter_table('outage_notices', schema=None) as batch_op:
        batch_op.create_index('ix_outage_notices_outage', ['outage_id', 'route'], unique=False)
    op.create_table('works_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('route', sa.String(length=63), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['window_id'], ['maintenance_windows.id'],
                            name=op.f('fk_works_notices_window_id_maintenance_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_works_notices'))
    )
    with op.batch_alter_table('works_notices', schema=None) as batch_op:
        batch_op.create_index('ix_works_notices_window', ['window_id', 'starts_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('works_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_works_notices_window')
    op.drop_table('works_notices')
    with op.batch_alter_table('outage_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_outage_notices_outage')
    op.drop_table('outage_notices')
    op.drop_table('notification_routes')
