"""
### VTEX inventory sync (every 2 minutes)

Sends VTEX the stock of every SKU and warehouse whose `stock` row changed in the ERP, as a
complete inventory PUT (quantity, unlimited flag and lead time together, since VTEX treats
missing fields as zero). Unchanged rows make no call; a row for a SKU VTEX does not know yet
waits and lands in a later run, once the catalog sync has created the SKU.

**Window**: each run reads the rows whose `updated_at` is between the last point synced (the
flow's watermark in the state store, opened `overlap_minutes` earlier: variable
`vtex_sync_settings`, default 5) and the end of its data interval, so an outage, a paused DAG
or a skipped run loses nothing; plus rows an earlier run left waiting or failed. A backfill
re-syncs exactly its intervals (and leaves the watermark alone): to re-sync a past period, use
*Trigger -> Backfill* (or `airflow backfill create --dag-id vtex_inventory_sync --from-date ...
--to-date ...`).

**Guard**: a run that would zero the stock of more than `max_zero_stock_share` of the SKUs
VTEX has stops before writing and waits for an operator's approval (task `approve_...`, under
*Required actions*, with the numbers); approved, it writes up to those numbers. Trigger with
`confirm_blast_radius: true` to skip the question.

Publishes the asset `vtex://<account>/inventory` (through the alias `vtex_inventory`) on success,
in task `publish_inventory`: one run at a time, so runs finishing together never race to
create the asset.
"""

from __future__ import annotations

from vtex_sync.airflow.dags import sync_dag

dag = sync_dag(
    flow="inventory",
    dag_id="vtex_inventory_sync",
    cron="*/2 * * * *",
    tag="logistics",
    doc_md=__doc__,
)
