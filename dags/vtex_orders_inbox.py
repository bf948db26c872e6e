"""
### VTEX orders inbox -> ERP, within seconds (event-driven)

VTEX's orders hook posts every order change to the hook receiver (served by the api-server
through the `vtex_orders_hook` plugin, or on its own), which stores it in the durable order
inbox. The asset `vtex_orders_inbox` has a watcher whose trigger (in the triggerer) polls the
inbox and fires as soon as a new pending event is stored; this DAG runs on that asset and
works through **every** pending event — including those that arrive while it runs — with the
same code as the feed: ERP exactly once, start handling exactly once, cancellations, statuses.

Several events arriving together make one run; events arriving during a run are taken by it or
queue the next one (never two runs at once). A run keeps looking for new events for
`linger_seconds` after the inbox is empty, so a burst is worked through by one run.
`vtex_orders_feed` (every minute) and the reconcile sweep stay the safety net for anything the
hook never delivered. Set the hook with `vtex_orders_hook_config`.
**Params**: `process_seconds` (time budget), `linger_seconds`, `dry_run`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetWatcher, Param, dag, get_current_context, task

from vtex_provider.triggers.inbox import InboxEventTrigger
from vtex_sync.airflow.dags import orders_args

INBOX = Asset("vtex_orders_inbox", watchers=[
    AssetWatcher(name="vtex_orders_inbox_watcher", trigger=InboxEventTrigger()),
])
DEFAULT_ARGS = orders_args(retry_delay=timedelta(seconds=15))


@task(retries=2)
def process_inbox() -> dict:
    from vtex_sync.orders.tasks import inbox_run, record

    context = get_current_context()
    summary = inbox_run(context["params"])
    record("orders_inbox", context["run_id"], summary)
    return summary


@dag(
    dag_id="vtex_orders_inbox",
    schedule=[INBOX],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "orders"],
    params={
        "process_seconds": Param(240, type="integer", minimum=5, maximum=3600,
                                 description="Time budget for working through the inbox."),
        "linger_seconds": Param(20, type="integer", minimum=0, maximum=600,
                                description="Keep taking new events this long after the inbox is empty."),
        "dry_run": Param(False, type="boolean", description="Write nothing."),
    },
)
def vtex_orders_inbox() -> None:
    process_inbox()


vtex_orders_inbox()
