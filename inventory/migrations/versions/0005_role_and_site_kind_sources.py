"""role and site kind sources: discovery may change inferred roles and kinds, never declared ones

Devices that discovery added (``source = 'discovered'``) get ``role_source = 'inferred'``; sites of
kind ``other`` where only discovered devices stand get ``kind_source = 'inferred'`` (discovery
created them from a sysLocation). Everything else was declared.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_source', sa.String(length=20), server_default='declared', nullable=False))

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind_source', sa.String(length=20), server_default='declared', nullable=False))

    op.execute("UPDATE devices SET role_source = 'inferred' WHERE source = 'discovered'")
    op.execute(
        "UPDATE sites SET kind_source = 'inferred' WHERE kind = 'other'"
        " AND EXISTS (SELECT 1 FROM devices d WHERE d.site_id = sites.id AND d.source = 'discovered')"
        " AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.site_id = sites.id AND d.source <> 'discovered')"
    )


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('kind_source')

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('role_source')
