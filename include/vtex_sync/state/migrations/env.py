"""Alembic environment: runs on the connection `StateStore.migrate()` hands over (online only)."""

from __future__ import annotations

from alembic import context

from vtex_sync.state.tables import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run state store migrations through StateStore.migrate()")

context.configure(connection=connection, version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
