"""The sandbox's persistent state: JSON documents by kind and key in one SQLite file.

Every VTEX object the sandbox holds is a document of a *kind* (``products``, ``skus``,
``orders``...) under a string key. Documents keep VTEX's own field names, so the admin
export is the documents themselves. One connection guarded by a lock keeps it simple and
safe under uvicorn's thread pool; WAL mode keeps reads cheap.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS counters (
    kind TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""


class Store:
    """Thread-safe document store. ``path=None`` keeps everything in memory."""

    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.RLock()
        self._indexed: set[str] = set()
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group several writes atomically (re-entrant)."""
        with self._lock:
            if self._conn.in_transaction:
                yield self
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def next_id(self, kind: str, start: int = 1) -> int:
        """Return the next integer id for ``kind`` (monotonic, survives restarts)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM counters WHERE kind = ?", (kind,)).fetchone()
            value = max(row[0] + 1, start) if row else start
            self._conn.execute(
                "INSERT INTO counters(kind, value) VALUES(?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET value = excluded.value",
                (kind, value),
            )
            return value

    def bump_id(self, kind: str, at_least: int) -> None:
        """Make sure ids handed out later are greater than ``at_least`` (custom ids)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO counters(kind, value) VALUES(?, ?) "
                "ON CONFLICT(kind) DO UPDATE SET value = max(value, excluded.value)",
                (kind, at_least),
            )

    def put(self, kind: str, key: str | int, doc: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._conn.execute(
                "INSERT INTO docs(kind, key, body) VALUES(?, ?, ?) "
                "ON CONFLICT(kind, key) DO UPDATE SET body = excluded.body",
                (kind, str(key), json.dumps(doc)),
            )
        return doc

    def get(self, kind: str, key: str | int) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT body FROM docs WHERE kind = ? AND key = ?", (kind, str(key))
            ).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, kind: str, key: str | int) -> bool:
        with self._lock:
            cur = self._conn.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, str(key)))
        return cur.rowcount > 0

    def all(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body FROM docs WHERE kind = ? ORDER BY rowid", (kind,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def find(self, kind: str, **equals: Any) -> list[dict[str, Any]]:
        """Documents of ``kind`` whose top-level fields equal the given values. The first field
        is looked up in its index (name the most selective first: ``SkuId`` before ``IsMain``);
        the others only filter what it found, so a field with few values never drives a scan."""
        if not equals:
            return self.all(kind)
        first, *others = equals
        self._index(first)
        clauses = " AND ".join(
            [f"json_extract(body, '$.{first}') = ?", *(f"+json_extract(body, '$.{f}') = ?" for f in others)]
        )
        params = [_sql_value(v) for v in equals.values()]
        with self._lock:
            rows = self._conn.execute(
                f"SELECT body FROM docs WHERE kind = ? AND {clauses} ORDER BY rowid", (kind, *params)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def _index(self, field: str) -> None:
        """An expression index per looked-up field keeps `find` from scanning every document."""
        if field in self._indexed or not field.isidentifier():
            return
        with self._lock:
            self._conn.execute(
                f"CREATE INDEX IF NOT EXISTS docs_by_{field} ON docs(kind, json_extract(body, '$.{field}'))"
            )
            self._indexed.add(field)

    def count(self, kind: str) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM docs WHERE kind = ?", (kind,)).fetchone()[0]

    def kinds(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT kind FROM docs ORDER BY kind")]

    def reset(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM docs")
            self._conn.execute("DELETE FROM counters")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    return value
