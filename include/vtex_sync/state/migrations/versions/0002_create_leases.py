"""Create leases (one writer per record) and where a quarantined row came from.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "state_create_leases",
        sa.Column("account", sa.String(100), nullable=False),
        sa.Column("entity", sa.String(50), nullable=False),
        sa.Column("erp_key", sa.String(255), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "entity", "erp_key"),
    )
    with op.batch_alter_table("state_quarantine") as batch:
        batch.add_column(sa.Column("source", sa.String(255)))
        batch.add_column(sa.Column("row_number", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("state_quarantine") as batch:
        batch.drop_column("row_number")
        batch.drop_column("source")
    op.drop_table("state_create_leases")
