"""telegram links

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 20:10:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('telegram_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_telegram_links_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telegram_links')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_telegram_links_chat_id')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_telegram_links_code_hash'))
    )
    with op.batch_alter_table('telegram_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telegram_links_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('telegram_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telegram_links_user_id'))
    op.drop_table('telegram_links')
