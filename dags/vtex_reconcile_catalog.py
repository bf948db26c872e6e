"""
### VTEX reconciliation: catalog, prices and stock (daily)

Reads what VTEX holds now and compares it with the ERP for every field the ERP owns: product
and SKU fields and active flags, base, list, cost and fixed prices, and stock per warehouse.
It catches what the incremental syncs cannot see: edits made in the VTEX admin, records changed
by another tool, and ERP rows committed too late for their window.

**Report**: drift per entity with counts, the fields that differ, and examples (ERP value,
VTEX value, since when, and which side moved), kept in the state store and shown on the
*VTEX* page of the Airflow UI; each task log lists the differences it found.

**Params**: `slices` checks one of N parts of the store per run (by the logical date), so a
large catalog is covered every N days; `repair` re-sends the ERP's version of every drifted
record through the normal sync flows (same guarantees, same blast-radius guard; add
`confirm_blast_radius` when the guard stops a large repair). Reads go through the pools
(`vtex_catalog`, `vtex_pricing`, `vtex_logistics`), so a run paces itself with the syncs.
A backfill over N days covers the whole store once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from vtex_sync.airflow.deadlines import freshness_deadline
from vtex_sync.airflow.notifiers import alert_callbacks
from vtex_sync.ops.flows import FLOW_POOLS


@task(retries=2, retry_delay=timedelta(minutes=1))
def reconcile(group: str) -> dict:
    from vtex_sync.drift.tasks import reconcile_group

    context = get_current_context()
    day = context.get("logical_date") or context["data_interval_end"]
    return reconcile_group(group, context["params"], day=day)


@task(retries=1)
def report(parts: list) -> dict:
    from vtex_sync.drift.tasks import store

    return store(parts, run_id=get_current_context()["run_id"])


@dag(
    dag_id="vtex_reconcile_catalog",
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "integration",
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        **alert_callbacks(),
    },
    doc_md=__doc__,
    deadline=freshness_deadline("vtex_reconcile_catalog"),
    tags=["vtex", "reconcile", "catalog", "pricing", "inventory"],
    params={
        "slices": Param(
            1,
            type="integer",
            minimum=1,
            maximum=366,
            description="Check one of this many parts of the store per run (1 = all of it).",
        ),
        "repair": Param(
            False,
            type="boolean",
            description="Re-send the ERP's version of every drifted record through the syncs.",
        ),
        "confirm_blast_radius": Param(
            False, type="boolean", description="Repair even if it goes past the blast-radius limits."
        ),
    },
)
def vtex_reconcile_catalog() -> None:
    parts = [
        reconcile.override(task_id=f"reconcile_{group}", pool=pool)(group)
        for group, pool in FLOW_POOLS.items()
    ]
    report(parts)


vtex_reconcile_catalog()
