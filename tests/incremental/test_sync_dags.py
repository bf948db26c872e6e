"""The sync DAGs as Airflow runs them: schedule shape, and one real run through ``dag.test()``."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import CronDataIntervalTimetable

from tests.incremental.conftest import Shop

DAGS = Path(__file__).resolve().parents[2] / "dags"
SYNC_DAGS = {"vtex_catalog_sync": 15, "vtex_price_sync": 5, "vtex_inventory_sync": 2}
FLOWS = {"vtex_catalog_sync": "catalog", "vtex_price_sync": "prices", "vtex_inventory_sync": "inventory"}


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """An initialised metadata database in the throwaway AIRFLOW_HOME the root conftest sets."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=dict(os.environ),
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag


def test_sync_dags_run_on_data_intervals_without_catchup(dagbag: DagBag) -> None:
    for dag_id, minutes in SYNC_DAGS.items():
        dag = dagbag.dags[dag_id]
        assert dag.catchup is False and dag.max_active_runs <= 2
        assert "confirm_blast_radius" in dag.params
        assert isinstance(dag.timetable, CronDataIntervalTimetable), f"{dag_id} needs data intervals"
        assert dag.timetable.expression == f"*/{minutes} * * * *", dag_id
        flow = FLOWS[dag_id]
        sync, approve, approved, publish = (dag.task_dict[f"{name}_{flow}{tail}"] for name, tail in (
            ("sync", ""), ("approve", ""), ("sync", "_approved"), ("publish", "")))
        for task in (sync, approved):
            assert task.pool.startswith("vtex_") and not task.outlets
        assert approve.downstream_task_ids == {approved.task_id}, "a tripped guard waits for an approval"
        # the asset is published by one task, one run at a time (runs finishing together would
        # both create it, and Airflow fails one of them)
        assert publish.outlets and publish.max_active_tis_per_dag == 1


@pytest.mark.airflow_db
def test_inventory_dag_syncs_its_interval_and_publishes_its_asset(
    shop: Shop, airflow_db: None, dagbag: DagBag
) -> None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    row = shop.all_rows("stock")[0]
    shop.change("stock", [row], datetime(2026, 3, 2, 10, 3, tzinfo=UTC), quantity=4321)

    dag = dagbag.dags["vtex_inventory_sync"]
    dag.deadline = None  # dag.test() cannot settle DAG deadlines (it hands them over unsaved)
    run = dag.test(logical_date=datetime(2026, 3, 2, 10, 4, tzinfo=UTC))

    assert run.state == "success"
    sku_id = shop.sku_ids()[row["sku_ref_id"]]
    stock = {(i["skuId"], i["warehouseId"]): i["quantity"] for i in shop.export()["inventory"]}
    assert stock[(sku_id, row["warehouse_code"])] == 4321
    assert shop.writes() == 1
    with create_session() as session:
        uris = session.scalars(select(AssetModel.uri).join(AssetEvent, AssetEvent.asset_id == AssetModel.id))
        assert "vtex://sandbox/inventory" in set(uris)
