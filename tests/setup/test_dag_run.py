"""The vtex_initial_setup DAG itself, through dag.test(): mapped batches, summary, params."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.setup.conftest import Store
from tests.setup.test_initial_setup import assert_export_matches_erp

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.mark.airflow_db
def test_initial_setup_dag_loads_the_catalog(store: Store, erp_data: dict, airflow_db: None) -> None:
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import DagRunState

    dag = DagBag(dag_folder=str(DAGS / "vtex_initial_setup.py")).dags["vtex_initial_setup"]
    run = dag.test(run_conf={"batch_size": 10})
    assert run.state == DagRunState.SUCCESS
    assert_export_matches_erp(store, erp_data)
    mapped = [ti for ti in run.get_task_instances() if ti.task_id == "catalog.skus"]
    assert len(mapped) == -(-len(erp_data["skus"]) // 10), "SKUs were not split into mapped batches"
    sweep = next(ti for ti in run.get_task_instances() if ti.task_id == "duplicates")
    assert sweep.state == "success"
    assert sweep.xcom_pull(task_ids="duplicates")["duplicates"] == 0, "a clean load left a copy twice"

    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["dry_run"] == "skipped"

    store.reset_stats()
    dry = dag.test(run_conf={"dry_run": True})
    assert dry.state == DagRunState.SUCCESS
    assert store.writes() == 0
    # a dry run stands out in the grid: its dry_run task is green, its batches say so
    tis = dry.get_task_instances()
    assert {ti.task_id: ti.state for ti in tis}["dry_run"] == "success"
    labels = [ti.rendered_map_index for ti in tis if ti.task_id == "catalog.skus"]
    assert labels and all(label.endswith("(dry run)") for label in labels), labels
