"""Create leases: one writer per (account, entity, ERP key) across processes, SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import time
import traceback
from pathlib import Path

import pytest

from vtex_sync.state import CreateLeaseTimeout, StateStore

ACCOUNT = "leaseshop"
KEYS = [f"SKU-{n}" for n in range(8)]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return request.getfixturevalue("pg_url")


def _fake_vtex_create(ledger: Path, worker: int, key: str) -> str:
    """What a VTEX POST does: makes a new object (a line in the ledger) with a fresh id, slowly."""
    time.sleep(0.02)
    with open(ledger, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(f"{key} {worker}\n")
        handle.flush()
    return f"{key}@{worker}"


def _writer(url: str, worker: int, ledger: str, start, results) -> None:
    try:
        store = StateStore(url)
        store.dispose()
        start.wait(120)  # every writer is up: they all go at once
        outcome = {}
        for key in KEYS:
            with store.create_lease(ACCOUNT, "sku", key, wait_seconds=60):
                binding = store.get_binding(ACCOUNT, "sku", key)
                if binding is None or binding.vtex_id is None:
                    vtex_id = _fake_vtex_create(Path(ledger), worker, key)
                    outcome[key] = store.bind(ACCOUNT, "sku", key, vtex_id).vtex_id
                else:
                    outcome[key] = binding.vtex_id  # waited, then bound to what the first writer made
        results.put(outcome)
    except BaseException:
        results.put(traceback.format_exc())  # the test shows why, instead of waiting for a result
        raise


def test_concurrent_writers_in_several_processes_create_each_record_once(url, tmp_path):
    ledger = tmp_path / "vtex.log"
    ledger.touch()
    StateStore(url).engine.dispose()  # migrate once up front
    # spawned, not forked: a fork copies the test process's locks, held by its other threads
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start = context.Barrier(5)
    workers = [context.Process(target=_writer, args=(url, n, str(ledger), start, results))
               for n in range(5)]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=180) for _ in workers]
    failures = [outcome for outcome in outcomes if isinstance(outcome, str)]
    assert not failures, "\n".join(failures)
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0
    created = ledger.read_text().split("\n")[:-1]
    assert sorted(line.split()[0] for line in created) == sorted(KEYS), "a record was created twice"
    for key in KEYS:
        assert len({outcome[key] for outcome in outcomes}) == 1, f"writers disagree on {key}"
    store = StateStore(url)
    assert all(store.lease_holder(ACCOUNT, "sku", key) is None for key in KEYS), "a lease was not released"


def _hold_and_die(url: str, ready) -> None:
    store = StateStore(url)
    store.dispose()
    lease = store.create_lease(ACCOUNT, "sku", "ORPHAN", ttl_seconds=1.0)
    lease.__enter__()
    ready.set()
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_dead_holders_lease_expires_and_the_next_writer_takes_it(url):
    StateStore(url).engine.dispose()
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=_hold_and_die, args=(url, ready))
    child.start()
    assert ready.wait(30)
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    store = StateStore(url)
    assert store.lease_holder(ACCOUNT, "sku", "ORPHAN") is not None
    started = time.monotonic()
    with store.create_lease(ACCOUNT, "sku", "ORPHAN", wait_seconds=30) as lease:
        assert lease.waited_seconds > 0.2
    assert time.monotonic() - started < 10


def test_a_held_lease_is_renewed_and_a_waiter_times_out(url):
    store = StateStore(url)
    with store.create_lease(ACCOUNT, "sku", "BUSY", owner="first", ttl_seconds=0.6) as lease:
        time.sleep(1.5)  # longer than the ttl: the heartbeat keeps it
        assert not lease.lost
        assert store.lease_holder(ACCOUNT, "sku", "BUSY") == "first"
        with pytest.raises(CreateLeaseTimeout, match="BUSY"):
            with store.create_lease(ACCOUNT, "sku", "BUSY", owner="second", wait_seconds=0.5):
                pass
    assert store.lease_holder(ACCOUNT, "sku", "BUSY") is None
    with store.create_lease(ACCOUNT, "sku", "BUSY", owner="second", wait_seconds=1) as lease:
        assert lease.waited_seconds < 0.5


def test_leases_are_per_account_entity_and_key(url):
    store = StateStore(url)
    with store.create_lease(ACCOUNT, "sku", "K1", owner="a", wait_seconds=1):
        others = ((ACCOUNT, "sku", "K2"), (ACCOUNT, "product", "K1"), ("other", "sku", "K1"))
        for account, entity, key in others:
            with store.create_lease(account, entity, key, owner="b", wait_seconds=0.2):
                pass
