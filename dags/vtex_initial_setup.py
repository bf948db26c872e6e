"""
### VTEX initial setup

Loads the whole catalog, prices and inventory from the ERP into VTEX in the order VTEX's
back-office integration guide documents: category tree (parents first) -> brands ->
specification groups -> fields -> values -> products -> product specifications -> product
trade policies -> SKUs -> SKU specifications -> SKU images -> SKU activation -> prices (base
and fixed per trade policy) -> warehouses (and docks) -> inventory.

Safe to re-run at any time: records already in VTEX are bound through the id map, unchanged
records make no call, and a create whose answer was lost is looked up before it is retried.

**Params**: `dry_run` plans only (counts of what would be created, updated, left unchanged or
quarantined; no write call); `entities` limits the run to some steps; `batch_size` sets how
many ERP rows one mapped task handles; `confirm_blast_radius` lets a re-run over a loaded
store zero stock or move prices past the guard's limits; `max_failed_records` (default 0) is
how many failed records a task tolerates (every failure is logged; VTEX rejecting the
credentials of `vtex_default` fails the run at once).

Each task logs one line per phase (`planned | created | updated | unchanged | quarantined |
waiting on parent`) and every failure with its ERP key, VTEX call and reason; the `summary`
task prints the per-entity table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, TaskGroup, dag, get_current_context, task

from vtex_sync.steps import STEP_NAMES, STEPS

DEFAULT_ARGS = {"owner": "integration", "retries": 2, "retry_delay": timedelta(seconds=30)}


@task(retries=2)
def plan_batches(step: str) -> list[list[int]]:
    from vtex_sync.tasks import plan_batches as plan

    return plan(step, get_current_context()["params"])


@task(retries=2)
def sync(step: str, batch: list[int] | None = None) -> dict:
    """One step, or one batch ``[index, count]`` of it."""
    from vtex_sync.tasks import run_step

    return run_step(step, get_current_context()["params"], batch=batch)


@task(retries=1)
def summary(results: list) -> dict:
    from vtex_sync.tasks import summarise

    context = get_current_context()
    return summarise(results, flow="initial_setup", run_id=context["run_id"], params=context["params"])


@dag(
    dag_id="vtex_initial_setup",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "initial-setup", "catalog"],
    params={
        "dry_run": Param(False, type="boolean", description="Plan only: make no write call to VTEX."),
        "entities": Param(
            list(STEP_NAMES),
            type="array",
            items={"type": "string", "enum": list(STEP_NAMES)},
            description="Steps to run (all by default).",
        ),
        "batch_size": Param(
            200, type="integer", minimum=10, maximum=5000, description="ERP rows per mapped task."
        ),
        "confirm_blast_radius": Param(
            False, type="boolean",
            description="Re-run over a loaded store even if it zeroes stock or moves prices past the limits.",
        ),
        "max_failed_records": Param(
            0, type="integer", minimum=0, description="A task fails when more records than this failed.",
        ),
    },
)
def vtex_initial_setup() -> None:
    results = []
    previous = None
    groups: dict[str, TaskGroup] = {}
    for step in STEPS:
        group = groups.get(step.group) or groups.setdefault(step.group, TaskGroup(step.group))
        with group:
            if step.batched:
                batches = plan_batches.override(task_id=f"{step.name}_batches")(step.name)
                run = (
                    sync.override(task_id=step.name, pool=step.pool)
                    .partial(step=step.name)
                    .expand(batch=batches)
                )
                head = batches
            else:
                run = sync.override(task_id=step.name, pool=step.pool)(step.name)
                head = run
        if previous is not None:
            previous >> head
        previous = run
        results.append(run)
    previous >> summary(results)


vtex_initial_setup()
