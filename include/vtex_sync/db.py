"""Database helpers shared by the ERP adapter and the state store.

- `make_engine(url)`: an engine tuned for concurrent writers (SQLite: WAL, busy timeout and
  ``BEGIN IMMEDIATE`` transactions; PostgreSQL: pre-ping).
- `UtcDateTime`: a column type that always hands back timezone-aware UTC datetimes.
- `insert_for(engine, table)`: the dialect's INSERT that supports ``ON CONFLICT``.
- `url_with_password(url, password)` and `redact(url)`: keep secrets out of logs.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator
from tenacity import retry, retry_if_exception, stop_after_delay, wait_random_exponential

SQLITE_BUSY_TIMEOUT_S = 60


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetime on every backend (SQLite stores it naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        value = to_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else to_utc(value)


def to_utc(value: datetime) -> datetime:
    """Return `value` in UTC; naive datetimes are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """Create an engine for `url`; SQLite files get WAL, a busy timeout and (if `immediate`)
    ``BEGIN IMMEDIATE`` transactions.

    With ``BEGIN IMMEDIATE`` every SQLite transaction takes the write lock up front, so concurrent
    read-then-write transactions queue on the busy timeout instead of failing on a lock upgrade.
    Use ``immediate=False`` for engines that mostly stream long reads.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_S * 1000}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


@retry(retry=retry_if_exception(_is_locked), stop=stop_after_delay(SQLITE_BUSY_TIMEOUT_S),
       wait=wait_random_exponential(multiplier=0.05, max=1.0), reraise=True)
def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once. SQLite answers "database is locked" at once, without its busy
    handler, when another connection holds the file while the mode changes: wait and try again."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        cursor.execute("PRAGMA journal_mode = WAL")


def insert_for(engine_or_dialect: Engine | str, table: Table) -> Any:
    """The dialect-specific INSERT (with ``on_conflict_do_*``) for SQLite or PostgreSQL."""
    name = engine_or_dialect if isinstance(engine_or_dialect, str) else engine_or_dialect.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"upserts are implemented for sqlite and postgresql, not {name}")


def url_with_password(url: str, password: str | None) -> str:
    """Insert `password` into `url` (used for connections that keep it in a separate field)."""
    if not password:
        return url
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL with its password masked, safe for logs and exception messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as a placeholder only
        return "<unparsable database url>"
