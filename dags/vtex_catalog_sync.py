"""
### VTEX catalog sync (every 15 minutes)

Follows the ERP's catalog in VTEX's documented order: categories (parents first) -> brands ->
specification groups, fields and values -> products -> product specifications -> product
trade policies -> SKUs (new ones created inactive) and EANs -> SKU specifications -> images
-> SKU activation. New and changed records are sent as complete objects; a product or SKU
the ERP deactivates (`active = false`) is sent with `IsActive: false`. A new SKU under an
existing product is created inactive, gets its specifications and images, then is activated.
Unchanged records make no call.

**Window**: each run reads the rows whose `updated_at` is between the last point synced (the
flow's watermark in the state store, opened `overlap_minutes` earlier: variable
`vtex_sync_settings`, default 5) and the end of its data interval, so an outage, a paused DAG
or a skipped run loses nothing; plus records an earlier run left waiting on a parent or failed.
A backfill re-syncs exactly its intervals (and leaves the watermark alone): to re-sync a past
period, use *Trigger -> Backfill* (or `airflow backfill create --dag-id vtex_catalog_sync
--from-date ... --to-date ...`).

**Guard**: a run that would deactivate more than `max_deactivate_share` of the products (or
SKUs) VTEX has stops before writing and waits for an operator's approval (task `approve_...`, under
*Required actions*, with the numbers); approved, it writes up to those numbers. Trigger with
`confirm_blast_radius: true` to skip the question.

Publishes the asset `vtex://<account>/catalog` (through the alias `vtex_catalog`) on success,
in task `publish_catalog`: one run at a time, so runs finishing together never race to
create the asset.
"""

from __future__ import annotations

from vtex_sync.airflow.dags import sync_dag

dag = sync_dag(
    flow="catalog",
    dag_id="vtex_catalog_sync",
    cron="*/15 * * * *",
    tag="catalog",
    doc_md=__doc__,
)
