"""
### VTEX price sync (every 5 minutes)

Sends VTEX the base, list and cost price and the fixed prices per trade policy of every SKU
whose `prices` or `fixed_prices` rows changed in the ERP. A change in either table re-sends
that SKU's complete price with **all** its fixed prices (a Pricing PUT deletes the fixed
prices it does not carry). Unchanged prices make no call.

**Window**: each run reads the rows whose `updated_at` falls in its data interval, opened
`overlap_minutes` earlier (variable `vtex_sync_settings`, default 5), plus prices an earlier
run left waiting for their SKU or failed. To re-sync a past period, use *Trigger -> Backfill*
(or `airflow backfill create --dag-id vtex_price_sync --from-date ... --to-date ...`).

**Guard**: a run that would move the base price of more than `max_price_move_share` of the
SKUs by more than `max_price_move_pct` percent stops before writing and says why in its log.
Re-trigger with `confirm_blast_radius: true` if the change is intended.

Publishes the asset `vtex://<account>/prices` (through the alias `vtex_prices`) on success.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import AssetAlias, CronDataIntervalTimetable, Param, dag, get_current_context, task

PRICES = AssetAlias("vtex_prices")
DEFAULT_ARGS = {"owner": "integration", "retries": 2, "retry_delay": timedelta(seconds=30)}


@task(pool="vtex_pricing", outlets=[PRICES])
def sync_prices() -> dict:
    from airflow.sdk import Asset

    from vtex_sync.incremental_tasks import asset_uri, run_sync

    context = get_current_context()
    summary = run_sync(
        "prices",
        context["params"],
        start=context["data_interval_start"],
        end=context["data_interval_end"],
        run_id=context["run_id"],
    )
    context["outlet_events"][PRICES].add(Asset(asset_uri(summary["account"], "prices")))
    return summary


@dag(
    dag_id="vtex_price_sync",
    schedule=CronDataIntervalTimetable("*/5 * * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["vtex", "incremental", "pricing"],
    params={
        "confirm_blast_radius": Param(
            False, type="boolean", description="Write even if the plan goes past the blast-radius limits."
        ),
    },
)
def vtex_price_sync() -> None:
    sync_prices()


vtex_price_sync()
