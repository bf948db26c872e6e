"""
### VTEX customers import

Customers and their addresses from the ERP into VTEX Master Data: profiles (`CL`) and
addresses (`AD`, linked to their profile through `userId`).

Idempotent: a profile is looked up by email before it is created, so a re-run (or a
profile that already exists in the store) never makes a duplicate; changed customers are
patched, unchanged ones make no call. Scheduled runs import the customers whose
`updated_at` falls in the run's data interval (plus a small overlap); a backfill over a date
range re-imports that range; the `full` param imports everyone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from vtex_sync.steps import CUSTOMER_STEPS

DEFAULT_ARGS = {"owner": "integration", "retries": 2, "retry_delay": timedelta(minutes=1)}


@task
def import_step(step: str) -> dict:
    from vtex_sync.tasks import interval_window, run_step

    context = get_current_context()
    params = context["params"]
    return run_step(step, params, window=interval_window(context, params))


@task
def summary(results: list) -> dict:
    from vtex_sync.tasks import summarise

    context = get_current_context()
    return summarise(results, flow="customers_import", run_id=context["run_id"], params=context["params"])


@dag(
    dag_id="vtex_customers_import",
    schedule=timedelta(hours=1),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "customers", "masterdata"],
    params={
        "full": Param(False, type="boolean", description="Import every customer, not only the interval's."),
        "dry_run": Param(False, type="boolean", description="Plan only: make no write call to VTEX."),
    },
)
def vtex_customers_import() -> None:
    runs = [import_step.override(task_id=s.name, pool=s.pool)(s.name) for s in CUSTOMER_STEPS]
    for before, after in zip(runs, runs[1:], strict=False):
        before >> after
    summary(runs)


vtex_customers_import()
