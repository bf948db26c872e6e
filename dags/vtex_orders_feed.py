"""
### VTEX orders feed -> ERP

The safety net behind the orders hook (`vtex_orders_inbox`). Every minute, one run (never two
at once) drains the orders feed v3 of this app key into the durable order inbox — each event is
stored *before* its handle is committed, and every event is committed, including those needing
no action — and, at the same time, works through the inbox, so a burst reaches the ERP while
the feed is still being read. If VTEX has expired the feed configuration (404), it is set again.

- `ready-for-handling`: the order is read and written to the ERP exactly once (sales order,
  lines, customer), then handling is started exactly once;
- `cancellation-requested` / `request-cancel`: the ERP is asked; not yet invoiced -> the order
  is canceled in VTEX and in the ERP, otherwise the request is denied and the order carries on;
- `canceled`: the ERP order is canceled; other statuses are recorded on the ERP order.

Orders naming a SKU unknown to the id map wait in quarantine and are retried each run.
Orders are handled in parallel, never the same order twice at once. Run
`vtex_orders_feed_config` once first. **Params**: `feed_seconds`, `process_seconds` (time
budgets), `dry_run`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from vtex_sync.airflow.dags import orders_args

DEFAULT_ARGS = orders_args(retry_delay=timedelta(seconds=30))


@task(retries=2)
def drain_and_process() -> dict:
    from vtex_sync.orders.tasks import feed_run, record

    context = get_current_context()
    summary = feed_run(context["params"])
    record("orders_feed", context["run_id"], summary)
    return summary


@dag(
    dag_id="vtex_orders_feed",
    schedule=timedelta(minutes=1),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "orders"],
    params={
        "feed_seconds": Param(45, type="integer", minimum=5, maximum=600,
                              description="Time budget for draining the feed."),
        "process_seconds": Param(240, type="integer", minimum=5, maximum=3600,
                                 description="Time budget for working through the inbox."),
        "dry_run": Param(False, type="boolean", description="Read nothing from the feed, write nothing."),
    },
)
def vtex_orders_feed() -> None:
    drain_and_process()


vtex_orders_feed()
