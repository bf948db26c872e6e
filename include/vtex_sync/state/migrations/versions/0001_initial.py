"""Initial state store: id map, intents, watermarks, quarantine, order inbox, write-backs, locks, runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamp(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _key(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=False)


def upgrade() -> None:
    op.create_table(
        "state_bindings",
        _key("account", 100), _key("entity", 50), _key("erp_key", 255),
        sa.Column("vtex_id", sa.String(100)),
        sa.Column("payload_hash", sa.String(128)),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _stamp("pushed_at"),
        _stamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("account", "entity", "erp_key"),
    )
    op.create_index("ix_state_bindings_vtex_id", "state_bindings", ["account", "entity", "vtex_id"])
    op.create_table(
        "state_intents",
        _key("account", 100), _key("entity", 50), _key("erp_key", 255),
        sa.Column("lookup", sa.Text, nullable=False),
        _stamp("created_at", nullable=False),
        sa.PrimaryKeyConstraint("account", "entity", "erp_key"),
    )
    op.create_table(
        "state_watermarks",
        _key("account", 100), _key("flow", 100),
        _stamp("value", nullable=False),
        _stamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("account", "flow"),
    )
    op.create_table(
        "state_quarantine",
        _key("account", 100), _key("entity", 50), _key("erp_key", 255),
        sa.Column("field", sa.String(100)),
        sa.Column("value", sa.Text),
        sa.Column("rule", sa.String(50), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
        _stamp("first_seen", nullable=False),
        _stamp("last_seen", nullable=False),
        sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
        _stamp("resolved_at"),
        sa.PrimaryKeyConstraint("account", "entity", "erp_key"),
    )
    op.create_table(
        "state_inbox",
        _key("account", 100), _key("event_key", 300),
        sa.Column("order_id", sa.String(50), nullable=False),
        sa.Column("state", sa.String(50)),
        sa.Column("current_change", sa.String(50)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimed_by", sa.String(100)),
        _stamp("claimed_at"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        _stamp("received_at", nullable=False),
        _stamp("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("account", "event_key"),
    )
    op.create_index("ix_state_inbox_status", "state_inbox", ["account", "status", "received_at"])
    op.create_table(
        "state_writebacks",
        _key("account", 100), _key("order_id", 50), _key("action", 30), _key("key", 255),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        _stamp("started_at", nullable=False),
        _stamp("finished_at"),
        sa.PrimaryKeyConstraint("account", "order_id", "action", "key"),
    )
    op.create_table(
        "state_order_locks",
        _key("account", 100), _key("order_id", 50),
        sa.Column("owner", sa.String(100), nullable=False),
        _stamp("expires_at", nullable=False),
        sa.PrimaryKeyConstraint("account", "order_id"),
    )
    op.create_table(
        "state_runs",
        _key("account", 100), _key("flow", 100), _key("run_id", 250),
        sa.Column("summary", sa.Text, nullable=False),
        _stamp("recorded_at", nullable=False),
        sa.PrimaryKeyConstraint("account", "flow", "run_id"),
    )
    op.create_index("ix_state_runs_recorded", "state_runs", ["account", "flow", "recorded_at"])


def downgrade() -> None:
    for name in ("state_runs", "state_order_locks", "state_writebacks", "state_inbox", "state_quarantine",
                 "state_watermarks", "state_intents", "state_bindings"):
        op.drop_table(name)
