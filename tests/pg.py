"""Throwaway PostgreSQL databases for tests (skipped with a reason when the server is absent)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USERS = ("postgres", "root")


def _admin_engine() -> tuple[Engine, str]:
    errors = []
    for user in PG_USERS:
        engine = create_engine(f"postgresql+psycopg2://{user}@{PG_HOST}:{PG_PORT}/postgres",
                               isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return engine, user
        except Exception as exc:  # the server may be absent, or this role may not exist
            errors.append(f"{user}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            engine.dispose()
    pytest.skip(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT}: {'; '.join(errors)}")


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Create ``vtex_test_<random>``, yield its SQLAlchemy URL, drop it afterwards."""
    admin, user = _admin_engine()
    name = f"vtex_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg2://{user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
