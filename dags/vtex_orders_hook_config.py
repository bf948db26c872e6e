"""
### VTEX orders hook configuration

Hourly (`action=ensure`): reads the orders hook configuration of this app key and sets it again
when VTEX has dropped it (VTEX removes a hook that received no notification for three days) or
when it differs from ours — FromWorkflow with the feed's statuses, the receiver's URL and the
shared-secret header, all from the `vtex_orders_hook` connection. VTEX pings the URL before it
saves a configuration, so the receiver must be reachable. `action=set` sets it now,
`action=show` only shows it (header values masked). The feed and the sweep cover any gap.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task


@task(retries=2, retry_delay=timedelta(minutes=1))
def hook_config() -> dict:
    from vtex_sync.orders.tasks import hook_config as run

    return run(get_current_context()["params"])


@dag(
    dag_id="vtex_orders_hook_config",
    schedule=timedelta(hours=1),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["vtex", "orders"],
    params={"action": Param("ensure", enum=["ensure", "set", "show"],
                            description="Set when missing or different, set now, or only show.")},
)
def vtex_orders_hook_config() -> None:
    hook_config()


vtex_orders_hook_config()
