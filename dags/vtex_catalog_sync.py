"""
### VTEX catalog sync (every 15 minutes)

Follows the ERP's catalog in VTEX's documented order: categories (parents first) -> brands ->
specification groups, fields and values -> products -> product specifications -> product
trade policies -> SKUs (new ones created inactive) and EANs -> SKU specifications -> images
-> SKU activation. New and changed records are sent as complete objects; a product or SKU
the ERP deactivates (`active = false`) is sent with `IsActive: false`. A new SKU under an
existing product is created inactive, gets its specifications and images, then is activated.
Unchanged records make no call.

**Window**: each run reads the rows whose `updated_at` falls in its data interval, opened
`overlap_minutes` earlier (variable `vtex_sync_settings`, default 5), plus records an earlier
run left waiting on a parent or failed. To re-sync a past period, use *Trigger -> Backfill*
(or `airflow backfill create --dag-id vtex_catalog_sync --from-date ... --to-date ...`).

**Guard**: a run that would deactivate more than `max_deactivate_share` of the products (or
SKUs) VTEX has stops before writing and says why in its log. Re-trigger with
`confirm_blast_radius: true` if the change is intended.

Publishes the asset `vtex://<account>/catalog` (through the alias `vtex_catalog`) on success.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import AssetAlias, CronDataIntervalTimetable, Param, dag, get_current_context, task

CATALOG = AssetAlias("vtex_catalog")
DEFAULT_ARGS = {"owner": "integration", "retries": 2, "retry_delay": timedelta(seconds=30)}


@task(pool="vtex_catalog", outlets=[CATALOG])
def sync_catalog() -> dict:
    from airflow.sdk import Asset

    from vtex_sync.incremental_tasks import asset_uri, run_sync

    context = get_current_context()
    summary = run_sync(
        "catalog",
        context["params"],
        start=context["data_interval_start"],
        end=context["data_interval_end"],
        run_id=context["run_id"],
    )
    context["outlet_events"][CATALOG].add(Asset(asset_uri(summary["account"], "catalog")))
    return summary


@dag(
    dag_id="vtex_catalog_sync",
    schedule=CronDataIntervalTimetable("*/15 * * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "incremental", "catalog"],
    params={
        "confirm_blast_radius": Param(
            False, type="boolean", description="Write even if the plan goes past the blast-radius limits."
        ),
    },
)
def vtex_catalog_sync() -> None:
    sync_catalog()


vtex_catalog_sync()
