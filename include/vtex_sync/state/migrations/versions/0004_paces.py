"""The pace a step's tasks learnt from VTEX's 429s, for the next task of the step to start at.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "state_paces",
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("spacing", sa.Float, nullable=False),
        sa.Column("in_flight", sa.Float, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "step"),
    )


def downgrade() -> None:
    op.drop_table("state_paces")
