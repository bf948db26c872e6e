"""The vtex_orders_feed DAG end to end through dag.test() (needs the Airflow metadata DB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Initialise the metadata DB in the throwaway AIRFLOW_HOME the root conftest set."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=dict(os.environ),
                   check=True, capture_output=True, timeout=180)
    subprocess.run([sys.executable, "-m", "airflow", "pools", "set", "vtex_orders", "4", "orders"],
                   env=dict(os.environ), check=True, capture_output=True, timeout=60)


@pytest.mark.airflow_db
def test_feed_dag_takes_orders_into_the_erp(world, airflow_db) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import DagRunState

    from vtex_sync.orders.feed_config import configure_feed

    configure_feed(world.context())
    order_ids = world.create_orders(12)
    dag = DagBag(dag_folder=str(DAGS / "vtex_orders_feed.py")).dags["vtex_orders_feed"]

    run = dag.test(run_conf={"feed_seconds": 30, "process_seconds": 60})

    assert run.state == DagRunState.SUCCESS
    rows = world.erp_rows("SELECT vtex_order_id FROM sales_orders")
    assert sorted(r[0] for r in rows) == sorted(order_ids)
    assert {world.order(o)["status"] for o in order_ids} == {"handling"}
    assert world.feed_quantity() == 0


@pytest.mark.airflow_db
def test_inbox_dag_takes_hook_notifications_into_the_erp(world, receiver, airflow_db) -> None:
    """Hook -> receiver -> inbox -> the vtex_orders_inbox DAG (the run the watcher's event starts)."""
    import time

    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import DagRunState

    from vtex_sync.orders.hook_config import HookAction
    from vtex_sync.orders.hook_config import run as hook_config
    from vtex_sync.orders.hook_settings import hook_settings

    ctx = world.context()
    hook_config(ctx, hook_settings(), HookAction.SET)
    order_ids = world.create_orders(8)
    deadline = time.monotonic() + 30
    while len(ctx.state.inbox_pending(ctx.account)) < 8:
        assert time.monotonic() < deadline, "the hook's notifications did not reach the inbox"
        time.sleep(0.1)
    dag = DagBag(dag_folder=str(DAGS / "vtex_orders_inbox.py")).dags["vtex_orders_inbox"]

    run = dag.test(run_conf={"process_seconds": 60, "linger_seconds": 0})

    assert run.state == DagRunState.SUCCESS
    rows = world.erp_rows("SELECT vtex_order_id FROM sales_orders")
    assert sorted(r[0] for r in rows) == sorted(order_ids)
    assert {world.order(o)["status"] for o in order_ids} == {"handling"}
