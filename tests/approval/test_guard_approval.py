"""A run whose plan trips the blast-radius guard waits for an operator's approval, then goes on."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.incremental.conftest import Shop
from tests.ui.conftest import ApiServer

pytestmark = [pytest.mark.slow, pytest.mark.airflow_db, pytest.mark.timeout(600)]

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_ID = "vtex_price_sync"
LOGICAL = datetime(2026, 3, 2, 10, 10, tzinfo=UTC)
CHANGED_AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


def wait_for(check: Any, what: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := check()) is not None:
            return found
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def test_tripped_guard_waits_for_approval_and_continues(shop: Shop, api_server: ApiServer) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import DagRunState, TaskInstanceState

    prices = shop.all_rows("prices")
    for row in prices:  # every base price tripled: past the price-move limit
        shop.change("prices", [row], CHANGED_AT, base_price=row["base_price"] * 3)
    before = {p["itemId"]: p["basePrice"] for p in shop.export()["prices"]}
    shop.reset_stats()
    api = httpx.Client(base_url=f"{api_server.base_url}/api/v2",
                       headers={"Authorization": f"Bearer {api_server.token()}"}, timeout=30)

    seen: dict[str, Any] = {}

    def waiting_approval() -> tuple[str, dict[str, Any]] | None:
        runs = api.get(f"/dags/{DAG_ID}/dagRuns").json().get("dag_runs") or []
        for run in runs:
            path = f"/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances/approve_prices/-1/hitlDetails"
            response = api.get(path)
            if response.status_code == 200:
                return path, response.json()
        return None

    def operator() -> None:
        """What the person at the UI does: read the request, check nothing was written, approve."""
        path, seen["detail"] = wait_for(waiting_approval, "the approval request")
        seen["writes_while_waiting"] = shop.writes()
        api.patch(path, json={"chosen_options": ["Approve"], "params_input": {}}).raise_for_status()

    person = threading.Thread(target=operator, daemon=True)
    person.start()
    dag = DagBag(dag_folder=str(DAGS / "vtex_price_sync.py")).dags[DAG_ID]
    # dag.test() hands the run its deadline definitions where the scheduler hands their stored ids,
    # and fails on them when the run succeeds; the deadline is tested on its own (tests/alerts)
    dag.deadline = None
    run = dag.test(logical_date=LOGICAL)  # parks at approve_prices until the operator answers
    person.join(timeout=30)

    body = seen["detail"]["body"]
    assert f"of {len(prices):,}" in body and "base price moves more than 50%" in body, body
    assert seen["detail"]["options"] == ["Approve", "Reject"]
    assert seen["writes_while_waiting"] == 0, "nothing is written while the run waits"
    assert run.state == DagRunState.SUCCESS
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["sync_prices_approved"] == TaskInstanceState.SUCCESS
    after = {p["itemId"]: p["basePrice"] for p in shop.export()["prices"]}
    assert all(after[item] == pytest.approx(before[item] * 3, rel=1e-6) for item in before)
