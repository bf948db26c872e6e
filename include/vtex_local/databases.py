"""Throwaway PostgreSQL databases on a server reachable with an admin URL."""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _admin_engine(admin_url: str) -> Engine:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")


def database_url(admin_url: str, name: str, drivername: str = "postgresql+psycopg2") -> URL:
    """The URL of database `name` on the server of `admin_url`."""
    return make_url(admin_url).set(drivername=drivername, database=name)


def create_database(admin_url: str, name: str) -> None:
    """Create an empty database (name: lower-case letters, digits and underscores)."""
    _run_admin(admin_url, name, 'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    """Drop a database even while clients are still connected to it."""
    _run_admin(admin_url, name, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_admin(admin_url: str, name: str, statement: str) -> None:
    """Run one database-level statement for `name` on an autocommit admin connection."""
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")
    engine = _admin_engine(admin_url)
    try:
        with engine.connect() as connection:
            connection.execute(text(statement.format(name=name)))
    finally:
        engine.dispose()
