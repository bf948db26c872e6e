"""
### VTEX initial setup

Loads the whole catalog, prices and inventory from the ERP into VTEX in the order VTEX's
back-office integration guide documents: category tree (parents first) -> brands ->
specification groups -> fields -> values -> products -> product specifications -> product
trade policies -> SKUs -> SKU specifications -> SKU images -> SKU activation -> prices (base
and fixed per trade policy) -> warehouses (and docks) -> inventory.

Each step starts once the steps writing what it refers to are done, so steps that hang off the
same parent run side by side (product specifications, trade policies and SKUs after the
products; SKU specifications, prices and stock after the SKUs; warehouses from the start). SKU
images follow the SKU specifications: VTEX activates a SKU when its first image is associated,
and only if its specifications are filled by then.

Safe to re-run at any time: records already in VTEX are bound through the id map, unchanged
records make no call, and a create whose answer was lost is looked up before it is retried.

**Params**: `dry_run` plans only (counts of what would be created, updated, left unchanged or
quarantined; no write call); `entities` limits the run to some steps; `batch_size` sets how
many ERP rows one mapped task handles; `confirm_blast_radius` lets a re-run over a loaded
store zero stock or move prices past the guard's limits; `max_failed_records` (default 0) is
how many failed records a task tolerates (every failure is logged; VTEX rejecting the
credentials of `vtex_default` fails the run at once); `remove_duplicates` lets the
`duplicates` task retire the extra copies of SKU images and specification values it finds in
VTEX (made by an older version or another tool; otherwise it only reports them).

Each task logs one line per phase (`planned | created | updated | unchanged | quarantined |
waiting on parent`) and every failure with its ERP key, VTEX call and reason; the `summary`
task prints the per-entity table (SKUs and EANs, docks and warehouses apart), also when a task
failed (the run still fails). Steps left out by `entities` show as skipped; mapped tasks are
labelled `<step> batch i/n`; a dry run has a green `dry_run` task (skipped in a real run).
A successful run marks the catalog, price and inventory syncs it covered as synced up to its
start (`mark_setup_synced`), so their first scheduled runs read the changes made since.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag

from vtex_sync.airflow.dags import (
    DEFAULT_ARGS,
    add_steps,
    check_vtex,
    dry_run_marker,
    duplicates,
    mark_setup_synced,
    summary,
)
from vtex_sync.steps import STEP_NAMES, STEPS


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
            examples=list(STEP_NAMES),  # the trigger form's multi-select offers a schema's examples
            title="Steps",
            description="Steps to run (all by default); the others show as skipped.",
        ),
        "batch_size": Param(
            200, type="integer", minimum=10, maximum=5000, description="ERP rows per mapped task."
        ),
        "confirm_blast_radius": Param(
            False, type="boolean",
            description="Re-run over a loaded store even if it zeroes stock or moves prices past the limits.",
        ),
        "remove_duplicates": Param(
            False, type="boolean",
            description="Retire the extra copies the duplicates check finds (otherwise only reported).",
        ),
        "max_failed_records": Param(
            0, type="integer", minimum=0, description="A task fails when more records than this failed.",
        ),
    },
)
def vtex_initial_setup() -> None:
    steps = add_steps(STEPS, after=check_vtex())
    for follower in (duplicates(), mark_setup_synced()):
        steps >> follower
    summary(steps, flow="initial_setup")
    dry_run_marker()


vtex_initial_setup()
