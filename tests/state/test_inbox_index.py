"""The inbox claim, run on every order event, is served by the (account, status, received_at)
index on SQLite and PostgreSQL, not by a scan of every event ever received."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from vtex_sync.state.store import StateStore, inbox_claim_query, inbox_claimable

INDEX = "ix_state_inbox_status"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}" if request.param == "sqlite" \
        else request.getfixturevalue("pg_url")
    store = StateStore(url)
    for n in range(300):
        store.inbox_add("shop", {"orderId": f"o{n}", "state": "ready-for-handling", "currentChange": "c"})
    yield store
    store.engine.dispose()


def _plan(store: StateStore) -> str:
    query = inbox_claim_query(inbox_claimable("shop", datetime.now(UTC), 600), 50)
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            return "\n".join(str(row[-1]) for row in rows)
        conn.execute(text("ANALYZE state_inbox"))
        conn.execute(text("SET LOCAL enable_seqscan = off"))  # a 300-row table would be scanned
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        return "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}").all())


def test_the_claim_query_uses_the_inbox_status_index(store) -> None:
    plan = _plan(store)
    assert INDEX in plan, plan


def test_the_index_is_in_the_schema_after_migrating(store) -> None:
    from sqlalchemy import inspect
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(store.engine).get_indexes("state_inbox")}
    assert indexes[INDEX] == ["account", "status", "received_at"]
