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
    # it waits for its parent's step only, so it runs beside the other steps hanging off SKUs
    assert dag.get_task("catalog.toys_batches").upstream_task_ids == {"catalog.skus"}


def test_steps_hanging_off_the_same_parent_run_side_by_side_in_vtex_s_order() -> None:
    loading = [s for s in steps() if s.group != CUSTOMER_GROUP]
    with DAG("setup", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        add_steps(loading)

    def waits_for(step: str, group: str = "catalog") -> set[str]:
        head = dag.get_task(f"{group}.{step}_batches") if dag.has_task(f"{group}.{step}_batches") else (
            dag.get_task(f"{group}.{step}"))
        return {task.split(".", 1)[1] for task in head.upstream_task_ids}

    for sibling in ("product_specifications", "product_trade_policies", "skus"):
        assert "products" in waits_for(sibling)
    assert waits_for("sku_specifications") == {"skus", "specification_values"}
    assert waits_for("prices", "pricing") == {"skus"}
    assert waits_for("inventory", "logistics") == {"skus", "warehouses"}
    # images after the specifications (VTEX activates a SKU when its image lands), activation last
    assert waits_for("sku_images") == {"sku_specifications"}
    assert waits_for("sku_activation") == {"sku_images"}
    # every step's upstream comes earlier in VTEX's documented order
    order = [s.name for s in loading]
    for step in loading:
        assert all(order.index(up) < order.index(step.name) for up in step.upstream), step.name


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


def test_pool_slots_go_first_to_the_steps_the_longest_chains_wait_for() -> None:
    loading = [s for s in steps() if s.group != CUSTOMER_GROUP]
    with DAG("setup", schedule=None, start_date=datetime(2026, 1, 1)) as dag:
        add_steps(loading)
    tasks = {step.name: dag.get_task(f"{step.group}.{step.name}") for step in loading}
    weight = {name: task.priority_weight for name, task in tasks.items()}
    # each step's weight is its own, not the sum of what follows it (Airflow's default rule)
    assert {str(task.weight_rule) for task in tasks.values()} == {"absolute"}
    # SKUs, then their specifications, then images: the chain that sets the setup's length
    assert weight["skus"] > weight["sku_specifications"] > weight["sku_images"] > weight["sku_activation"]
    # the leaves that share the catalog pool with that chain wait for its free slots
    for leaf in ("product_specifications", "product_trade_policies", "sku_activation"):
        assert weight[leaf] == 1 < weight["sku_images"], leaf
    assert weight == {step.name: step.priority for step in loading}
