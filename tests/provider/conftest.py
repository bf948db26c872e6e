"""Fixtures: a scriptable local HTTP server and a `vtex` connection pointing at it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# The suite runs with --import-mode=importlib: make the sibling helper module importable.
sys.path.insert(0, str(Path(__file__).parent))

from vtex_fakes import ACCOUNT, APP_KEY, APP_TOKEN, FAST_RETRY, ScriptedServer  # noqa: E402

from vtex_provider.hooks.vtex import VtexHook


@pytest.fixture
def server():
    srv = ScriptedServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def vtex_conn(server, monkeypatch) -> str:
    """Register `vtex_test` through AIRFLOW_CONN_VTEX_TEST (JSON form)."""
    conn = {
        "conn_type": "vtex",
        "login": APP_KEY,
        "password": APP_TOKEN,
        "extra": {"account_name": ACCOUNT, "base_url": server.url},
    }
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_TEST", json.dumps(conn))
    return "vtex_test"


@pytest.fixture
def hook(vtex_conn) -> VtexHook:
    return VtexHook(vtex_conn, retry=FAST_RETRY, timeout=(2, 5))
