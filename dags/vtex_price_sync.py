"""
### VTEX price sync (every 5 minutes)

Sends VTEX the base, list and cost price and the fixed prices per trade policy of every SKU
whose `prices` or `fixed_prices` rows changed in the ERP. A change in either table re-sends
that SKU's complete price with **all** its fixed prices (a Pricing PUT deletes the fixed
prices it does not carry). Unchanged prices make no call.

**Window**: each run reads the rows whose `updated_at` is between the last point synced (the
flow's watermark in the state store, opened `overlap_minutes` earlier: variable
`vtex_sync_settings`, default 5) and the end of its data interval, so an outage, a paused DAG
or a skipped run loses nothing; plus prices an earlier run left waiting for their SKU or
failed. A backfill re-syncs exactly its intervals (and leaves the watermark alone): to re-sync
a past period, use *Trigger -> Backfill* (or `airflow backfill create --dag-id vtex_price_sync
--from-date ... --to-date ...`).

**Guard**: a run that would move the base price of more than `max_price_move_share` of the
SKUs by more than `max_price_move_pct` percent stops before writing and waits for an operator's
approval (task `approve_prices`, under *Required actions*, with the numbers); approved, it
writes up to those numbers. Trigger with `confirm_blast_radius: true` to skip the question.

Publishes the asset `vtex://<account>/prices` (through the alias `vtex_prices`) on success,
in task `publish_prices`: one run at a time, so runs finishing together never race to
create the asset.
"""

from __future__ import annotations

from vtex_sync.airflow.dags import sync_dag

dag = sync_dag(
    flow="prices",
    dag_id="vtex_price_sync",
    cron="*/5 * * * *",
    tag="pricing",
    doc_md=__doc__,
)
