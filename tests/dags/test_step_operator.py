"""The loading DAGs are wired from the entity catalogue, one `SyncStepOperator` per step."""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import DAG

from vtex_sync.airflow.dags import add_steps
from vtex_sync.airflow.operators import INTERVAL, SyncStepOperator
from vtex_sync.entities import CATALOGUE, CUSTOMER_GROUP, Entity, Flow, steps

TOY = Entity("toy", "toys", ("code",), "toys", "catalog", "vtex_catalog",
             parents={"sku_ref_id": "sku"}, batched=True, sync=Flow.CATALOG)


def test_a_toy_entity_in_the_catalogue_becomes_a_mapped_task_in_its_group_and_pool() -> None:
    loading = [s for s in steps(CATALOGUE + (TOY,)) if s.group != CUSTOMER_GROUP]
    with DAG("toy_setup", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        add_steps(loading)

    toy = dag.get_task("catalog.toys")
    assert toy.pool == "vtex_catalog"
    assert dag.get_task("catalog.toys_batches").task_id in toy.upstream_task_ids
    assert "logistics.inventory" in dag.get_task("catalog.toys_batches").upstream_task_ids


def test_the_rendered_fields_show_step_batch_and_window() -> None:
    operator = SyncStepOperator(task_id="customers", step="customers", batch=[1, 4], window=INTERVAL)
    start, end = datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 2, 11, tzinfo=UTC)

    operator.render_template_fields(
        {"params": {"full": False}, "data_interval_start": start, "data_interval_end": end}  # type: ignore[arg-type]
    )

    assert set(SyncStepOperator.template_fields) == {"step", "batch", "window"}
    assert (operator.step, operator.batch) == ("customers", [1, 4])
    assert [datetime.fromisoformat(edge) for edge in operator.window] == [start, end]

    full = SyncStepOperator(task_id="all", step="customers", window=INTERVAL)
    full.render_template_fields({"params": {"full": True}, "data_interval_start": start,  # type: ignore[arg-type]
                                 "data_interval_end": end})
    assert list(full.window) == ["", ""]
