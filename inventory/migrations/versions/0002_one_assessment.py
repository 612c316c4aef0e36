"""one assessment: site states, the sites an outage degrades, its cause in plain words

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("degraded_sites", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("cause_words", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "site_states",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("causes", sa.JSON(), nullable=False),
        sa.Column("outage_id", sa.Integer(), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["outage_id"], ["outages.id"], name=op.f("fk_site_states_outage_id_outages"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_states_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_site_states")),
    )


def downgrade() -> None:
    op.drop_table("site_states")
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_column("cause_words")
        batch_op.drop_column("degraded_sites")
