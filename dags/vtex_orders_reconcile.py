"""
### VTEX orders reconcile sweep

Hourly, lists VTEX's orders created in the run's data interval (widened by `lookback_hours`,
since an order becomes ready-for-handling a while after it is created) and repairs every
order the ERP lacks or disagrees on — missing orders, handling never started, cancellations
not recorded — through the same code path as the feed. Windows beyond VTEX's 30-page cap of
list-orders are split. Backfill any date range from the UI or with
`airflow backfill create --dag-id vtex_orders_reconcile --from-date ... --to-date ...`.
**Params**: `lookback_hours`, `dry_run` (report what is out of step, repair nothing).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task

from vtex_sync.airflow.dags import orders_args

DEFAULT_ARGS = orders_args(retry_delay=timedelta(minutes=2))


@task(retries=2)
def sweep() -> dict:
    from vtex_sync.orders.tasks import reconcile, record

    context = get_current_context()
    summary = reconcile(context["params"], context["data_interval_start"], context["data_interval_end"])
    record("orders_reconcile", context["run_id"], summary)
    return summary


@dag(
    dag_id="vtex_orders_reconcile",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "orders", "reconcile"],
    params={
        "lookback_hours": Param(6, type="number", minimum=0, maximum=72,
                                description="Also sweep orders created this many hours before the interval."),
        "dry_run": Param(False, type="boolean", description="Report out-of-step orders, repair nothing."),
    },
)
def vtex_orders_reconcile() -> None:
    sweep()


vtex_orders_reconcile()
