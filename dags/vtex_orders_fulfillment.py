"""
### VTEX order fulfillment write-backs (ERP -> VTEX)

Every five minutes, sends what the ERP decided about orders, in this order: cancellations
(refused by VTEX once invoiced: reported on the ERP row as failed, never retried), order
changes (created once, re-run with VTEX's retry call, never re-sent), invoices (Output, full
or partial, and Input returns; the same invoice number on a retry) and tracking (number on
the invoice, carrier events, delivery). Each write-back holds the order's lock, is logged in
the state store so a success is never repeated, reads the order back to confirm, and writes
its outcome on the ERP row. **Params**: `dry_run` (count pending rows, send nothing).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, chain, dag, get_current_context, task

from vtex_sync.airflow.dags import orders_args
from vtex_sync.orders.statuses import FULFILLMENT_KINDS

DEFAULT_ARGS = orders_args(retry_delay=timedelta(seconds=60))


@task(retries=2)
def send(kind: str) -> dict:
    from vtex_sync.orders.tasks import fulfillment

    return fulfillment(get_current_context()["params"], kind)


@dag(
    dag_id="vtex_orders_fulfillment",
    schedule=timedelta(minutes=5),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "orders", "fulfillment"],
    params={"dry_run": Param(False, type="boolean", description="Count pending rows, send nothing.")},
)
def vtex_orders_fulfillment() -> None:
    chain(*(send.override(task_id=f"send_{kind}")(kind) for kind in FULFILLMENT_KINDS))


vtex_orders_fulfillment()
