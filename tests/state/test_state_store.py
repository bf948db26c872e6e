"""State store behaviour on SQLite and PostgreSQL, including concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from vtex_sync.erp.validation import QuarantineEntry
from vtex_sync.state import OrderLockTimeout, StateStore, event_key_of, state_store_from_connection
from vtex_sync.state.store import head_revision

ACCOUNT = "storeA"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(url):
    state = StateStore(url)
    yield state
    state.engine.dispose()


def test_bind_upserts_one_row_per_key(store):
    assert store.get_binding(ACCOUNT, "brand", "B1") is None
    store.set_status(ACCOUNT, "brand", "B1", "waiting_parent", "category C1 not synced")
    assert store.get_binding(ACCOUNT, "brand", "B1").vtex_id is None
    first = store.bind(ACCOUNT, "brand", "B1", 2000001, payload_hash="h1")
    again = store.bind(ACCOUNT, "brand", "B1", "2000001", payload_hash="h2")
    assert first.vtex_id == again.vtex_id == "2000001"
    assert again.payload_hash == "h2" and again.status == "synced" and again.conflict is None
    assert list(store.bindings(ACCOUNT, "brand")) == ["B1"]
    assert store.erp_key_for(ACCOUNT, "brand", "2000001") == "B1"
    assert store.get_binding("otherAccount", "brand", "B1") is None


def test_first_writer_wins_and_conflict_is_reported(store):
    store.bind(ACCOUNT, "sku", "S1", "10")
    result = store.bind(ACCOUNT, "sku", "S1", "99")
    assert result.vtex_id == "10" and result.conflict == "99"
    assert store.get_binding(ACCOUNT, "sku", "S1").vtex_id == "10"


def test_bulk_bindings_and_push_bookkeeping(store):
    for n in range(0, 20, 2):
        store.record_push(ACCOUNT, "price", f"S{n}", f"hash{n}")
    store.bind(ACCOUNT, "sku", "A", "1")
    store.bind(ACCOUNT, "sku", "B", "2")
    found = store.bindings(ACCOUNT, "sku", keys=["A", "missing"] + [f"x{n}" for n in range(1100)])
    assert set(found) == {"A"}
    store.set_status(ACCOUNT, "sku", "A", "failed", "HTTP 500")
    store.set_status(ACCOUNT, "sku", "A", "failed", "HTTP 500")
    failed = store.get_binding(ACCOUNT, "sku", "A")
    assert (failed.status, failed.attempts, failed.vtex_id) == ("failed", 2, "1")
    store.record_push(ACCOUNT, "sku", "A", "h-new")
    pushed = store.get_binding(ACCOUNT, "sku", "A")
    assert (pushed.status, pushed.attempts, pushed.payload_hash) == ("synced", 0, "h-new")
    assert pushed.pushed_at is not None and pushed.pushed_at.tzinfo is not None
    assert store.get_binding(ACCOUNT, "price", "S2").payload_hash == "hash2"


def test_intents_are_idempotent(store):
    store.add_intent(ACCOUNT, "product", "P1", {"refId": "P1"})
    store.add_intent(ACCOUNT, "product", "P1", {"refId": "changed"})
    store.add_intent(ACCOUNT, "product", "P2", {"refId": "P2"})
    assert [(i.erp_key, i.lookup) for i in store.intents(ACCOUNT, "product")] == [
        ("P1", {"refId": "P1"}), ("P2", {"refId": "P2"})]
    store.clear_intent(ACCOUNT, "product", "P1")
    assert [i.erp_key for i in store.intents(ACCOUNT, "product")] == ["P2"]


def test_watermarks(store):
    assert store.get_watermark(ACCOUNT, "catalog") is None
    store.set_watermark(ACCOUNT, "catalog", datetime(2024, 5, 1, 12, tzinfo=UTC))
    store.set_watermark(ACCOUNT, "catalog", datetime(2024, 5, 2, 12, tzinfo=UTC))
    assert store.get_watermark(ACCOUNT, "catalog") == datetime(2024, 5, 2, 12, tzinfo=UTC)
    assert store.get_watermark("other", "catalog") is None


def test_quarantine_counts_attempts_and_reopens(store):
    store.quarantine(ACCOUNT, "skus", "S1", field="ean", value="123", rule="bad_ean", message="bad")
    first = store.open_quarantine(ACCOUNT)[0]
    time.sleep(0.01)
    store.quarantine(ACCOUNT, "skus", "S1", field="ean", value="124", rule="bad_ean", message="bad")
    [again] = store.open_quarantine(ACCOUNT, "skus")
    assert again.attempts == 2 and again.value == "124"
    assert again.first_seen == first.first_seen and again.last_seen > first.last_seen
    assert store.resolve_quarantine(ACCOUNT, "skus", "S1")
    assert store.open_quarantine(ACCOUNT) == []
    store.quarantine_entries(ACCOUNT, [QuarantineEntry("skus", "S1", "ean", "1", "bad_ean", "bad")])
    [reopened] = store.open_quarantine(ACCOUNT)
    assert reopened.attempts == 3 and not reopened.resolved
    assert store.open_quarantine(ACCOUNT, "brands") == []


def test_inbox_dedupes_on_order_state_and_change(store):
    event = {"orderId": "v1-01", "state": "ready-for-handling", "currentChange": "2024-01-01T00:00:00Z",
             "handle": "h1"}
    assert store.inbox_add(ACCOUNT, event) is True
    assert store.inbox_add(ACCOUNT, {**event, "handle": "h2"}) is False
    assert store.inbox_add(ACCOUNT, {**event, "currentChange": "2024-01-01T00:00:05Z"}) is True
    assert store.inbox_add(ACCOUNT, {"OrderId": "v1-01", "State": "invoiced", "CurrentChange": "x"}) is True
    pending = store.inbox_pending(ACCOUNT, limit=10)
    assert [e.state for e in pending] == ["ready-for-handling", "ready-for-handling", "invoiced"]
    assert pending[0].payload["handle"] == "h1"
    assert store.inbox_mark(ACCOUNT, event_key_of(event), "done")
    assert len(store.inbox_pending(ACCOUNT, limit=10)) == 2


def test_inbox_claim_hands_each_event_to_one_worker(store):
    for n in range(10):
        store.inbox_add(ACCOUNT, {"orderId": f"o{n}", "state": "ready-for-handling", "currentChange": "c"})
    first = store.inbox_claim(ACCOUNT, "w1", limit=4)
    second = store.inbox_claim(ACCOUNT, "w2", limit=100)
    assert len(first) == 4 and len(second) == 6
    assert not {e.event_key for e in first} & {e.event_key for e in second}
    assert store.inbox_claim(ACCOUNT, "w3") == []
    assert store.inbox_claim(ACCOUNT, "w3", lease_seconds=0)  # stale claims can be taken over
    store.inbox_mark(ACCOUNT, first[0].event_key, "pending")
    assert [e.event_key for e in store.inbox_claim(ACCOUNT, "w4")] == [first[0].event_key]


def test_writeback_idempotency(store):
    assert store.writeback_begin(ACCOUNT, "o1", "invoice", "NF-1") is True
    store.writeback_failed(ACCOUNT, "o1", "invoice", "NF-1", "HTTP 503")
    assert store.writeback_begin(ACCOUNT, "o1", "invoice", "NF-1") is True
    store.writeback_done(ACCOUNT, "o1", "invoice", "NF-1")
    assert store.writeback_begin(ACCOUNT, "o1", "invoice", "NF-1") is False
    assert store.writeback_status(ACCOUNT, "o1", "invoice", "NF-1") == "succeeded"
    assert store.writeback_begin(ACCOUNT, "o1", "invoice", "NF-2") is True
    assert store.writeback_begin(ACCOUNT, "o1", "tracking", "NF-1") is True


def test_order_lock_serialises_and_expires(store):
    with store.order_lock(ACCOUNT, "o1", owner="a"):
        with pytest.raises(OrderLockTimeout):
            with store.order_lock(ACCOUNT, "o1", owner="b", wait_seconds=0.2):
                pass
        with store.order_lock(ACCOUNT, "o2", owner="b", wait_seconds=0.2):
            pass
    with store.order_lock(ACCOUNT, "o1", owner="c", lease_seconds=0.05):
        time.sleep(0.1)
        with store.order_lock(ACCOUNT, "o1", owner="d", wait_seconds=1):
            pass  # the expired lease was taken over

    inside, overlaps = [], []

    def worker(name):
        with store.order_lock(ACCOUNT, "o3", owner=name, wait_seconds=10, poll_seconds=0.01):
            inside.append(name)
            if len(inside) > 1:
                overlaps.append(list(inside))
            time.sleep(0.02)
            inside.remove(name)

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []


def test_run_summaries(store):
    store.record_run(ACCOUNT, "catalog", "run-1", {"created": 3})
    store.record_run(ACCOUNT, "catalog", "run-2", {"created": 0, "unchanged": 3})
    store.record_run(ACCOUNT, "catalog", "run-1", {"created": 4})
    runs = store.runs(ACCOUNT, "catalog")
    assert {r.run_id: r.summary for r in runs} == {"run-1": {"created": 4},
                                                   "run-2": {"created": 0, "unchanged": 3}}
    assert runs[0].run_id == "run-1"  # re-recorded last, so newest


def test_migrating_twice_is_a_no_op(url):
    store = StateStore(url)
    store.bind(ACCOUNT, "brand", "B1", "1")
    tables = set(inspect(store.engine).get_table_names())
    store.migrate()
    store.migrate()
    assert store.current_revision() == head_revision()
    assert set(inspect(store.engine).get_table_names()) == tables
    assert store.get_binding(ACCOUNT, "brand", "B1").vtex_id == "1"
    store.engine.dispose()


def test_store_from_connection_and_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VTEX_STATE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert state_store_from_connection("vtex_state_absent").url.endswith("env.db")
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_STATE_TEST", json.dumps(
        {"conn_type": "generic", "extra": {"url": f"sqlite:///{tmp_path / 'conn.db'}"}}))
    assert state_store_from_connection("vtex_state_test").url.endswith("conn.db")


# ---------------------------------------------------------------- several processes at once
def _bind_many(url: str, worker: int, results) -> None:
    store = StateStore(url)
    seen = {}
    for n in range(200):
        key = f"K{(n + worker * 50) % 400}"
        seen[key] = store.bind(ACCOUNT, "sku", key, f"{key}-from-{worker}").vtex_id
    results.put(seen)
    store.engine.dispose()


def _claim_all(url: str, worker: int, results) -> None:
    store = StateStore(url)
    claimed = []
    while batch := store.inbox_claim(ACCOUNT, f"w{worker}", limit=7):
        claimed += [event.event_key for event in batch]
    results.put(claimed)
    store.engine.dispose()


def _run_processes(target, url, count):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=target, args=(url, n, results)) for n in range(count)]
    for process in processes:
        process.start()
    outputs = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outputs


@pytest.mark.slow
def test_concurrent_binds_keep_one_row_per_key(url):
    outputs = _run_processes(_bind_many, url, 8)
    store = StateStore(url)
    rows = store.bindings(ACCOUNT, "sku")
    expected_keys = {f"K{(n + w * 50) % 400}" for w in range(8) for n in range(200)}
    assert set(rows) == expected_keys
    for seen in outputs:  # every writer was told the one id that won
        assert all(rows[key].vtex_id == vtex_id for key, vtex_id in seen.items())
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM state_bindings").scalar() == len(expected_keys)
    store.engine.dispose()


@pytest.mark.slow
def test_concurrent_claims_never_share_an_event(url):
    store = StateStore(url)
    for n in range(120):
        store.inbox_add(ACCOUNT, {"orderId": f"o{n}", "state": "ready-for-handling", "currentChange": "c"})
    outputs = _run_processes(_claim_all, url, 4)
    claimed = [key for output in outputs for key in output]
    assert len(claimed) == 120 and len(set(claimed)) == 120
    store.engine.dispose()


@pytest.mark.slow
def test_concurrent_first_migrations(url):
    outputs = _run_processes(_migrate_and_report, url, 4)
    assert outputs == [head_revision()] * 4


def _migrate_and_report(url: str, worker: int, results) -> None:
    store = StateStore(url)
    results.put(store.current_revision())
    store.engine.dispose()
