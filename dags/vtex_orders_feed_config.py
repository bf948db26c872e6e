"""
### VTEX orders feed configuration

Run once before `vtex_orders_feed` (and again whenever the statuses change): with
`action=set` it creates or replaces the feed v3 configuration of this app key —
FromWorkflow with the statuses the order flow acts on, a visibility timeout and a 7-day
retention — and shows it; with `action=show` it only shows the configuration and how many
messages are queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task


@task(retries=1, retry_delay=timedelta(seconds=30))
def feed_config() -> dict:
    from vtex_sync.orders.tasks import feed_config as run

    return run(get_current_context()["params"])


@dag(
    dag_id="vtex_orders_feed_config",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    doc_md=__doc__,
    tags=["vtex", "orders"],
    params={"action": Param("show", enum=["show", "set"], description="Show or set the feed config.")},
)
def vtex_orders_feed_config() -> None:
    feed_config()


vtex_orders_feed_config()
