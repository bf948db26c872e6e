"""Fixtures: the batch stub server, a `vtex` connection to it, a real SQLite state store."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from stub_batches import ACCOUNT, APP_KEY, APP_TOKEN, StubBatches  # noqa: E402

from vtex_provider.hooks.retry import RetryPolicy
from vtex_provider.hooks.vtex import VtexHook
from vtex_sync.context import SyncContext, SyncSettings
from vtex_sync.state import StateStore

FAST = RetryPolicy(max_attempts=3, base_wait=0.01, max_wait=0.05, max_retry_after=1,
                   max_rate_limited_attempts=3)


@pytest.fixture
def stub():
    server = StubBatches().start()
    yield server
    server.stop()


@pytest.fixture
def conn_id(stub, monkeypatch) -> str:
    conn = {"conn_type": "vtex", "login": APP_KEY, "password": APP_TOKEN,
            "extra": {"account_name": ACCOUNT, "base_url": stub.url}}
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_BULK", json.dumps(conn))
    return "vtex_bulk"


@pytest.fixture
def state(tmp_path):
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    store.dispose()


@pytest.fixture
def make_ctx(conn_id, state):
    def build(**settings) -> SyncContext:
        hook = VtexHook(conn_id, retry=FAST, timeout=(2, 5))
        values = {"bulk_threshold": 1, "batch_inventory": True} | settings
        return SyncContext(account=ACCOUNT, hook=hook, state=state, erp=None,  # type: ignore[arg-type]
                           settings=SyncSettings(**values))

    return build
