"""An ERP database with demo data, a VTEX sandbox over HTTP and a state store, wired together
through the same Airflow connections a deployment uses (as environment variables)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract import contract_knobs, record_contract_stats
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers
from vtex_sync.steps import CUSTOMER_STEPS, STEPS

APP_KEY = "vtexappkey-setup-test"
APP_TOKEN = "setup-test-token-do-not-log"


@dataclass
class Store:
    """One wired-up environment: the ERP, the sandbox and helpers to run and inspect."""

    erp_url: str
    state_url: str
    base_url: str
    admin: httpx.Client
    server: SandboxServer

    def run(self, params: dict[str, Any] | None = None, steps: tuple = STEPS) -> list[dict[str, Any]]:
        """Every step in order, batches included, as the DAG runs them."""
        from vtex_sync.airflow.tasks import RecordsFailed, plan_batches, run_step

        params = params or {}
        results = []
        for step in steps:
            for batch in plan_batches(step.name, params) if step.batched else [None]:
                try:
                    results.append(run_step(step.name, params, batch=batch))
                except RecordsFailed as failed:  # the task fails; its records are counted
                    results.append(failed.result)
        return results

    def run_all(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.run(params, STEPS + CUSTOMER_STEPS)

    def export(self) -> dict[str, list[dict[str, Any]]]:
        return self.admin.get("/_sandbox/export").json()

    def writes(self) -> int:
        stats = self.admin.get("/_sandbox/stats").json()
        return sum(r["count"] for r in stats["by_route"] if r["method"] != "GET")

    def reset_stats(self) -> None:
        self.admin.post("/_sandbox/stats/reset").raise_for_status()

    def faults(self, **probabilities: float) -> None:
        self.admin.post("/_sandbox/faults", json=probabilities).raise_for_status()


def wire(monkeypatch: pytest.MonkeyPatch, folder: Path, base_url: str) -> tuple[str, str]:
    erp_url, state_url = f"sqlite:///{folder / 'erp.db'}", f"sqlite:///{folder / 'state.db'}"
    vtex = {
        "conn_type": "vtex",
        "login": APP_KEY,
        "password": APP_TOKEN,
        "extra": {"account_name": "setupshop", "base_url": base_url},
    }
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_DEFAULT", json.dumps(vtex))
    monkeypatch.setenv(
        "AIRFLOW_CONN_ERP_DEFAULT",
        json.dumps({"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_VTEX_STATE", json.dumps({"conn_type": "generic", "extra": {"url": state_url}})
    )
    return erp_url, state_url


@pytest.fixture
def erp_data() -> dict[str, list[dict[str, Any]]]:
    return generate("tiny", seed=3)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, erp_data: dict) -> Iterator[Store]:
    config = SandboxConfig(
        account="setupshop", app_key=APP_KEY, app_token=APP_TOKEN, seed=11, **contract_knobs()
    )
    server = SandboxServer(config, in_subprocess=True)
    base_url = server.start()
    try:
        erp_url, state_url = wire(monkeypatch, tmp_path, base_url)
        load_into(erp_url, erp_data)
        with httpx.Client(base_url=base_url, headers=auth_headers(config), timeout=30) as admin:
            yield Store(erp_url, state_url, base_url, admin, server)
    finally:
        record_contract_stats(base_url, auth_headers(config), "setup")
        server.stop()
