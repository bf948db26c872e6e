"""Alembic migrations of the state store (run through `StateStore.migrate()`)."""
