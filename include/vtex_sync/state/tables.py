"""State store tables (SQLAlchemy Core). Their DDL lives in the Alembic migrations beside them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text

from vtex_sync.db import UtcDateTime

metadata = MetaData()

VERSION_TABLE = "state_schema_version"


def _account() -> Column:
    return Column("account", String(100), primary_key=True)


bindings = Table(
    "state_bindings", metadata,
    _account(),
    Column("entity", String(50), primary_key=True),
    Column("erp_key", String(255), primary_key=True),
    Column("vtex_id", String(100)),
    Column("payload_hash", String(128)),
    Column("status", String(30), nullable=False),
    Column("message", Text),
    Column("attempts", Integer, nullable=False),
    Column("pushed_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    # what finds the VTEX object once its ERP row is gone, where the id does not (an image)
    Column("handle", Text),
)

intents = Table(
    "state_intents", metadata,
    _account(),
    Column("entity", String(50), primary_key=True),
    Column("erp_key", String(255), primary_key=True),
    Column("lookup", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

watermarks = Table(
    "state_watermarks", metadata,
    _account(),
    Column("flow", String(100), primary_key=True),
    Column("value", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

quarantine = Table(
    "state_quarantine", metadata,
    _account(),
    Column("entity", String(50), primary_key=True),
    Column("erp_key", String(255), primary_key=True),
    Column("field", String(100)),
    Column("value", Text),
    Column("rule", String(50), nullable=False),
    Column("message", Text),
    Column("attempts", Integer, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("resolved", Boolean, nullable=False),
    Column("resolved_at", UtcDateTime),
    Column("source", String(255)),
    Column("row_number", Integer),
)

inbox = Table(
    "state_inbox", metadata,
    _account(),
    Column("event_key", String(300), primary_key=True),
    Column("order_id", String(50), nullable=False),
    Column("state", String(50)),
    Column("current_change", String(50)),
    Column("payload", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("claimed_by", String(100)),
    Column("claimed_at", UtcDateTime),
    Column("attempts", Integer, nullable=False),
    Column("message", Text),
    Column("received_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

writebacks = Table(
    "state_writebacks", metadata,
    _account(),
    Column("order_id", String(50), primary_key=True),
    Column("action", String(30), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("message", Text),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
)

order_locks = Table(
    "state_order_locks", metadata,
    _account(),
    Column("order_id", String(50), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

create_leases = Table(
    "state_create_leases", metadata,
    _account(),
    Column("entity", String(50), primary_key=True),
    Column("erp_key", String(255), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

runs = Table(
    "state_runs", metadata,
    _account(),
    Column("flow", String(100), primary_key=True),
    Column("run_id", String(250), primary_key=True),
    Column("summary", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

paces = Table(
    "state_paces", metadata,
    _account(),
    Column("step", String(100), primary_key=True),
    Column("spacing", Float, nullable=False),  # seconds between one task's sends
    Column("in_flight", Float, nullable=False),  # requests one task keeps in flight
    Column("saved_at", UtcDateTime, nullable=False),
)
