"""What finds a VTEX object again once its ERP row is gone (an image's URL and name).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("state_bindings") as batch:
        batch.add_column(sa.Column("handle", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("state_bindings") as batch:
        batch.drop_column("handle")
