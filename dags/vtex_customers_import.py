"""
### VTEX customers import

Customers and their addresses from the ERP into VTEX Master Data: profiles (`CL`) and
addresses (`AD`, linked to their profile through `userId`).

Idempotent: a profile is looked up by email before it is created, so a re-run (or a
profile that already exists in the store) never makes a duplicate; changed customers are
patched, unchanged ones make no call. Every hour, a run imports the customers whose
`updated_at` is between the last point synced (minus `overlap_minutes`) and the end of its
data interval, so a paused DAG or an outage loses nothing; a backfill over a date range
re-imports exactly that range; the `full` param imports everyone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable, Param, dag

from vtex_sync.airflow.dags import DEFAULT_ARGS, add_steps, check_vtex, dry_run_marker, mark_synced, summary
from vtex_sync.airflow.operators import INTERVAL
from vtex_sync.steps import CUSTOMER_STEPS


@dag(
    dag_id="vtex_customers_import",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),  # hourly, a real data interval
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS | {"retry_delay": timedelta(minutes=1)},
    doc_md=__doc__,
    tags=["vtex", "customers", "masterdata"],
    params={
        "full": Param(False, type="boolean", description="Import every customer, not only the interval's."),
        "dry_run": Param(False, type="boolean", description="Plan only: make no write call to VTEX."),
    },
)
def vtex_customers_import() -> None:
    steps = add_steps(CUSTOMER_STEPS, window=INTERVAL, after=check_vtex(), watermark_of="customers")
    # the watermark moves only when every step succeeded (the summary runs in any case)
    [steps[-1], summary(steps, flow="customers_import")] >> mark_synced("customers")
    dry_run_marker()


vtex_customers_import()
