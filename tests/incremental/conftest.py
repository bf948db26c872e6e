"""An initial setup on `tiny` demo data, over HTTP against a sandbox and a real ERP database.

Each test gets a fresh sandbox store, ERP database and state store, loaded by the initial
setup's own steps; `Shop` gives it ways to change ERP rows, run a sync and look at VTEX.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract import JSON_HEADERS, contract_knobs, record_contract_stats
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers
from vtex_sync.airflow.tasks import plan_batches, run_step
from vtex_sync.erp.sql import SqlErp
from vtex_sync.state.store import StateStore
from vtex_sync.steps import STEPS

ACCOUNT = "sandbox"


class Shop:
    """The ERP, the state store and the sandbox of one test."""

    def __init__(self, client: httpx.Client, erp_url: str, state_url: str) -> None:
        self.vtex = client
        self.erp = SqlErp(erp_url)
        self.state = StateStore(state_url)

    # --- the ERP side
    def rows(self, table: str, keys: list[str], *, column: str | None = None) -> list[dict[str, Any]]:
        return self.erp.read_keys(table, keys, column=column)

    def all_rows(self, table: str) -> list[dict[str, Any]]:
        return [row for chunk in self.erp.read(table) for row in chunk]

    def change(self, table: str, rows: list[Mapping[str, Any]], at: datetime, **values: Any) -> None:
        """Write `rows` back with `values` applied and ``updated_at`` = `at` (a back-office edit)."""
        self.erp.upsert_rows(table, [{**row, **values, "updated_at": at} for row in rows])

    # --- the VTEX side
    def export(self) -> dict[str, list[dict[str, Any]]]:
        return self.vtex.get("/_sandbox/export").raise_for_status().json()

    def reset_stats(self) -> None:
        self.vtex.post("/_sandbox/stats/reset").raise_for_status()

    def writes(self) -> int:
        """Non-GET calls the sandbox served since the last reset."""
        stats = self.vtex.get("/_sandbox/stats").raise_for_status().json()
        return sum(row["count"] for row in stats["by_route"] if row["method"] != "GET")

    def calls(self) -> int:
        """Every call the sandbox served since the last reset (reads too)."""
        stats = self.vtex.get("/_sandbox/stats").raise_for_status().json()
        return sum(row["count"] for row in stats["by_route"])

    def sku_ids(self) -> dict[str, str]:
        """ERP SKU ref id -> VTEX SKU id."""
        return {s["RefId"]: str(s["Id"]) for s in self.export()["skus"]}


def run_initial_setup() -> None:
    for step in STEPS:
        for batch in plan_batches(step.name, {}) if step.batched else [None]:
            run_step(step.name, {}, batch=batch)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxConfig(account=ACCOUNT, rate_limit_scale=0, **contract_knobs()))
    server.start()
    yield server
    record_contract_stats(server.base_url, auth_headers(server.config), "incremental")
    server.stop()


@pytest.fixture
def shop(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    erp_url, state_url = f"sqlite:///{tmp_path / 'erp.db'}", f"sqlite:///{tmp_path / 'state.db'}"
    config = sandbox.config
    vtex_extra = {"account_name": ACCOUNT, "base_url": sandbox.base_url}
    connections = {
        "VTEX_DEFAULT": {"conn_type": "vtex", "login": config.app_key, "password": config.app_token,
                         "extra": vtex_extra},
        "ERP_DEFAULT": {"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}},
        "VTEX_STATE": {"conn_type": "generic", "extra": {"url": state_url}},
    }
    for name, value in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{name}", json.dumps(value))
    load_into(erp_url, generate("tiny"))
    headers = {**auth_headers(config), **JSON_HEADERS}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=30) as client:
        client.post("/_sandbox/reset").raise_for_status()
        run_initial_setup()
        shop = Shop(client, erp_url, state_url)
        shop.reset_stats()
        yield shop
        shop.erp.engine.dispose()
        shop.state.engine.dispose()
