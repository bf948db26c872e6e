"""Order-flow fixtures: a sandbox with the demo catalog loaded, a real ERP and state database.

The catalog is set up once per session (initial setup steps against a sandbox backed by a
SQLite file); each test then gets its own copies of the sandbox, ERP and state databases, so
orders, feed and id map never leak from one test into another.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from tests.contract import JSON_HEADERS, contract_knobs  # noqa: E402
from vtex_demo.generator import generate, load_into  # noqa: E402
from vtex_sandbox.config import SandboxConfig  # noqa: E402
from vtex_sandbox.server import SandboxServer, auth_headers  # noqa: E402
from vtex_sync.airflow.connections import build_context  # noqa: E402
from vtex_sync.context import SyncContext, SyncSettings  # noqa: E402
from vtex_sync.erp.sql import SqlErp  # noqa: E402

ACCOUNT = "sandbox"
APP_KEY = "vtexappkey-orders-test"
APP_TOKEN = "orders-test-token"
DB_FILES = ("sandbox.db", "erp.db", "state.db")


def sandbox_config(db_path: Path, **knobs: Any) -> SandboxConfig:
    return SandboxConfig(account=ACCOUNT, app_key=APP_KEY, app_token=APP_TOKEN, db_path=str(db_path),
                         seed=11, order_clock=3600, rate_limit_scale=0, **{**contract_knobs(), **knobs})


def set_connections(monkeypatch: pytest.MonkeyPatch, base_url: str, folder: Path) -> None:
    vtex = {"conn_type": "vtex", "login": APP_KEY, "password": APP_TOKEN,
            "extra": {"account_name": ACCOUNT, "base_url": base_url}}
    erp = {"conn_type": "generic", "extra": {"adapter": "sql", "url": f"sqlite:///{folder / 'erp.db'}"}}
    state = {"conn_type": "generic", "extra": {"url": f"sqlite:///{folder / 'state.db'}"}}
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_DEFAULT", json.dumps(vtex))
    monkeypatch.setenv("AIRFLOW_CONN_ERP_DEFAULT", json.dumps(erp))
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_STATE", json.dumps(state))


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(scope="session")
def catalog_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sandbox, ERP and state databases right after the initial setup of the tiny demo catalog."""
    from vtex_sync.airflow.tasks import plan_batches, run_step
    from vtex_sync.steps import STEPS

    folder = tmp_path_factory.mktemp("orders-catalog")
    load_into(f"sqlite:///{folder / 'erp.db'}", generate("tiny", 3))
    monkeypatch = pytest.MonkeyPatch()
    server = SandboxServer(sandbox_config(folder / "sandbox.db"))
    try:
        base_url = server.start()
        set_connections(monkeypatch, base_url, folder)
        for step in STEPS:
            for batch in plan_batches(step.name, {}) if step.batched else [None]:
                result = run_step(step.name, {}, batch=batch)
                assert not result.get("failures"), result
    finally:
        server.stop()
        monkeypatch.undo()
    return folder


@dataclass
class OrderWorld:
    """One test's sandbox (over HTTP), ERP and state store, and helpers to drive them."""

    folder: Path
    server: SandboxServer
    admin: httpx.Client

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def erp_url(self) -> str:
        return f"sqlite:///{self.folder / 'erp.db'}"

    def context(self, **settings: Any) -> SyncContext:
        return build_context(settings=SyncSettings(**settings))

    def create_orders(self, count: int = 0, orders: list[dict] | None = None,
                      ready: bool = True) -> list[str]:
        body = {"orders": orders} if orders is not None else {"count": count}
        response = self.admin.post("/_sandbox/orders", json=body)
        response.raise_for_status()
        if ready:
            self.admin.post("/_sandbox/orders/ready").raise_for_status()
        return response.json()["orderIds"]

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.admin.get(f"/api/oms/pvt/orders/{order_id}")
        response.raise_for_status()
        return response.json()

    def faults(self, error_5xx: float = 0, rate_429: float = 0, lost_response: float = 0) -> None:
        self.admin.post("/_sandbox/faults", json={
            "error_5xx": error_5xx, "rate_429": rate_429, "lost_response": lost_response,
        }).raise_for_status()

    def route_calls(self, method: str, fragment: str, status: int | None = None) -> int:
        """Calls the sandbox counted on routes containing `fragment` (optionally one status)."""
        rows = self.admin.get("/_sandbox/stats").json()["by_route"]
        return sum(r["count"] for r in rows if r["method"] == method and fragment in r["route"]
                   and (status is None or r["status"] == status))

    def feed_quantity(self) -> int:
        return self.admin.get("/api/orders/feed/config").json()["quantity"]

    def erp(self) -> SqlErp:
        return SqlErp(self.erp_url)

    def erp_rows(self, sql: str, *params: Any) -> list[tuple]:
        with sqlite3.connect(self.folder / "erp.db") as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture
def make_world(catalog_snapshot: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``make_world(**sandbox_knobs)`` -> an `OrderWorld` on fresh copies of the catalog snapshot."""
    started: list[tuple[SandboxServer, httpx.Client]] = []

    def make(**knobs: Any) -> OrderWorld:
        for name in DB_FILES:
            copy_sqlite(catalog_snapshot / name, tmp_path / name)
        config = sandbox_config(tmp_path / "sandbox.db", **knobs)
        server = SandboxServer(config)
        base_url = server.start()
        admin = httpx.Client(base_url=base_url, headers={**auth_headers(config), **JSON_HEADERS}, timeout=30)
        started.append((server, admin))
        set_connections(monkeypatch, base_url, tmp_path)
        return OrderWorld(tmp_path, server, admin)

    yield make
    for server, admin in started:
        admin.close()
        server.stop()


@pytest.fixture
def world(make_world: Any) -> OrderWorld:
    return make_world()


HOOK_SECRET = "hook-secret-for-tests"
HOOK_HEADER = "X-Orders-Hook-Secret"


class ReceiverServer:
    """The orders hook receiver app under uvicorn on a fixed local port (restartable)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self._server: Any = None
        self._thread: Any = None

    def start(self) -> None:
        import threading
        import time

        import uvicorn

        from vtex_sync.orders.hook_receiver import create_app

        config = uvicorn.Config(create_app(), host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "receiver did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReceiverServer]:
    """A running receiver with its `vtex_orders_hook` connection; it resolves the other connections
    (the test's world) on its first notification."""
    from vtex_sandbox.server import free_port

    server = ReceiverServer(free_port())
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_ORDERS_HOOK", json.dumps({
        "conn_type": "generic", "password": HOOK_SECRET,
        "extra": {"url": server.url, "header": HOOK_HEADER}}))
    server.start()
    yield server
    server.stop()
