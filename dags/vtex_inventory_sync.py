"""
### VTEX inventory sync (every 2 minutes)

Sends VTEX the stock of every SKU and warehouse whose `stock` row changed in the ERP, as a
complete inventory PUT (quantity, unlimited flag and lead time together, since VTEX treats
missing fields as zero). Unchanged rows make no call; a row for a SKU VTEX does not know yet
waits and lands in a later run, once the catalog sync has created the SKU.

**Window**: each run reads the rows whose `updated_at` falls in its data interval, opened
`overlap_minutes` earlier (variable `vtex_sync_settings`, default 5), plus rows an earlier
run left waiting or failed. To re-sync a past period, use *Trigger -> Backfill* (or
`airflow backfill create --dag-id vtex_inventory_sync --from-date ... --to-date ...`).

**Guard**: a run that would zero the stock of more than `max_zero_stock_share` of the SKUs
VTEX has stops before writing and says why in its log. Re-trigger with
`confirm_blast_radius: true` if the change is intended.

Publishes the asset `vtex://<account>/inventory` (through the alias `vtex_inventory`) on success.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import AssetAlias, CronDataIntervalTimetable, Param, dag, get_current_context, task

INVENTORY = AssetAlias("vtex_inventory")
DEFAULT_ARGS = {"owner": "integration", "retries": 2, "retry_delay": timedelta(seconds=30)}


@task(pool="vtex_logistics", outlets=[INVENTORY])
def sync_inventory() -> dict:
    from airflow.sdk import Asset

    from vtex_sync.incremental_tasks import asset_uri, run_sync

    context = get_current_context()
    summary = run_sync(
        "inventory",
        context["params"],
        start=context["data_interval_start"],
        end=context["data_interval_end"],
        run_id=context["run_id"],
    )
    context["outlet_events"][INVENTORY].add(Asset(asset_uri(summary["account"], "inventory")))
    return summary


@dag(
    dag_id="vtex_inventory_sync",
    schedule=CronDataIntervalTimetable("*/2 * * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "incremental", "logistics"],
    params={
        "confirm_blast_radius": Param(
            False, type="boolean", description="Write even if the plan goes past the blast-radius limits."
        ),
    },
)
def vtex_inventory_sync() -> None:
    sync_inventory()


vtex_inventory_sync()
