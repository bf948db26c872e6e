"""A run whose tasks fail on their records still ends with its summary, counting every failure,
and still fails; the steps it leaves out show as skipped; mapped tasks carry their batch label."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.setup.conftest import Store
from vtex_sync.db import to_utc
from vtex_sync.state import StateStore

DAGS = Path(__file__).resolve().parents[2] / "dags"


def setup_dag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS / "vtex_initial_setup.py")).dags["vtex_initial_setup"]
    for task in dag.tasks:  # Airflow would retry the failed batches 30 s later: fail at once here
        task.retries = 0
    return dag


def break_skus(store: Store, refs: list[str]) -> None:
    """The id map points these SKUs at ids VTEX does not have, and the ERP changed them, so the
    SKU step fails on them (VTEX answers 404 for their EANs)."""
    with StateStore(store.state_url).engine.begin() as conn:
        for number, ref in enumerate(refs):
            missing = {"id": str(99999990 + number), "k": ref}
            conn.execute(text("UPDATE state_bindings SET vtex_id = :id WHERE entity = 'sku' "
                              "AND erp_key = :k"), missing)
    with create_engine(store.erp_url).begin() as conn:
        for ref in refs:
            conn.execute(text("UPDATE skus SET name = name || ' (new)' WHERE ref_id = :k"), {"k": ref})


@pytest.mark.airflow_db
def test_a_run_failed_on_its_records_is_summarised_and_still_fails(
    store: Store, airflow_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from airflow.sdk import DagRunState

    store.run()
    refs = sorted(StateStore(store.state_url).bindings("setupshop", "sku"))
    victims = [refs[0], refs[-1]]  # one in the first batch, one in the last
    break_skus(store, victims)

    run = setup_dag().test(run_conf={"entities": ["skus"], "batch_size": 10})

    assert run.state == DagRunState.FAILED
    tis = run.get_task_instances()
    batches = sorted((ti for ti in tis if ti.task_id == "catalog.skus"),
                     key=lambda ti: ti.map_index)
    assert len(batches) > 2
    failed = [ti for ti in batches if ti.state == "failed"]
    assert len(failed) == 2, [(ti.map_index, ti.state) for ti in batches]
    assert [ti.rendered_map_index for ti in batches][:1] == [f"skus batch 1/{len(batches)}"]

    summary = next(ti for ti in tis if ti.task_id == "summary")
    assert summary.state == "success"
    report = summary.xcom_pull(task_ids="summary")
    assert report["failures"] == 2, report
    eans = report["totals"]["sku_ean"]
    assert eans["failed"] == 2 and eans["unchanged"] == eans["planned"] - 2
    assert sum(t.get("failed", 0) for t in report["totals"].values()) == 2
    names = sorted(f"catalog.skus[{ti.map_index}]" for ti in failed)
    assert sorted(report["failed_tasks"]) == names
    assert "XCom not found" not in capsys.readouterr().out, "the summary looked up tasks that did not run"
    kept = StateStore(store.state_url).runs("setupshop", "initial_setup")[0]
    assert kept.run_id == run.run_id and kept.summary["failures"] == 2

    states = {ti.task_id: ti.state for ti in tis if ti.map_index < 0}
    assert states["catalog.products"] == "skipped", "a step left out of the run is not shown as skipped"
    assert states["catalog.sku_images_batches"] == "upstream_failed"  # after the failed step
    assert states["logistics.warehouses"] == "skipped"  # left out, and not after the failed step
    assert states["catalog.products_batches"] == "skipped" and states["dry_run"] == "skipped"
    assert states["mark_setup_synced"] == "upstream_failed"
    watermarks = StateStore(store.state_url)
    assert watermarks.get_watermark("setupshop", "catalog") is None, "a failed setup moved the watermark"


@pytest.mark.airflow_db
def test_a_clean_run_counts_skus_and_eans_apart_and_sets_the_watermarks(
    store: Store, airflow_db: None
) -> None:
    from airflow.sdk import DagRunState

    run = setup_dag().test()
    assert run.state == DagRunState.SUCCESS
    summary = next(ti for ti in run.get_task_instances() if ti.task_id == "summary")
    report = summary.xcom_pull(task_ids="summary")
    totals = report["totals"]
    assert report["failed_tasks"] == [] and report["failures"] == 0
    with create_engine(store.erp_url).connect() as conn:
        skus = conn.execute(text("SELECT COUNT(*) FROM skus")).scalar()
        eans = conn.execute(text("SELECT COUNT(*) FROM skus WHERE ean IS NOT NULL AND ean != ''")).scalar()
        docks = conn.execute(text("SELECT COUNT(*) FROM docks")).scalar()
        houses = conn.execute(text("SELECT COUNT(*) FROM warehouses")).scalar()
    assert totals["sku"]["created"] == skus and totals["sku_ean"]["created"] == eans
    assert totals["dock"]["created"] == docks and totals["warehouse"]["created"] == houses
    assert "skus" not in totals and "warehouses" not in totals
    rows = list(totals)
    assert rows.index("sku") < rows.index("sku_ean") < rows.index("sku_specifications")

    state = StateStore(store.state_url)
    for flow in ("catalog", "prices", "inventory"):  # the first scheduled syncs read from the start
        mark = state.get_watermark("setupshop", flow)
        assert mark is not None and to_utc(mark) == to_utc(run.start_date), flow
