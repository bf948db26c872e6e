"""Re-drive quarantined records once their ERP rows are fixed: re-read exactly those rows by key
and run them through the normal sync flow (validation first, so a row still wrong stays held).

The page asks for a re-drive by record or by rule; `select` turns that into the exact open
quarantine entries, which become the conf of one ``vtex_redrive`` DAG run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from vtex_sync.entities import entities
from vtex_sync.state.store import QuarantineRecord

log = logging.getLogger(__name__)

REDRIVE_DAG = "vtex_redrive"

# quarantined ERP table (an entity's own or a detail table) -> the sync flow that reads it
TABLE_FLOW: dict[str, str] = {
    table: entity.sync.value
    for entity in entities().values()
    if entity.sync is not None
    for table in (entity.table, *entity.details)
}


class RedriveError(ValueError):
    """A re-drive names a record that is not in quarantine, or one no sync flow reads."""


def redrivable(record: QuarantineRecord) -> bool:
    return record.entity in TABLE_FLOW


def select(
    open_entries: Iterable[QuarantineRecord],
    *,
    records: Iterable[tuple[str, str]] | None = None,
    rule: str | None = None,
    entity: str | None = None,
) -> list[tuple[str, str]]:
    """The (table, key) pairs to re-drive: the named records, or every open entry of `rule`."""
    entries = {(q.entity, q.erp_key): q for q in open_entries}
    if records is not None:
        wanted = [(str(e), str(k)) for e, k in records]
        unknown = [f"{e} {k}" for e, k in wanted if (e, k) not in entries]
        if unknown:
            raise RedriveError(f"not in quarantine: {', '.join(unknown)}")
        chosen = [entries[pair] for pair in dict.fromkeys(wanted)]
    elif rule:
        chosen = [q for q in entries.values() if q.rule == rule and (not entity or q.entity == entity)]
    else:
        raise RedriveError("name the records or the rule to re-drive")
    bad = [f"{q.entity} {q.erp_key}" for q in chosen if not redrivable(q)]
    if bad:
        raise RedriveError(f"no sync flow re-reads these (their own DAG retries them): {', '.join(bad)}")
    return [(q.entity, q.erp_key) for q in chosen]


def by_flow(records: Iterable[Iterable[str]]) -> dict[str, dict[str, list[str]]]:
    """``{flow: {table: [keys]}}`` of a re-drive's records."""
    grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for table, key in records:
        if table not in TABLE_FLOW:
            raise RedriveError(f"no sync flow reads table {table!r}")
        grouped[TABLE_FLOW[table]][table].append(key)
    return {flow: dict(tables) for flow, tables in grouped.items()}


def run_redrive(flow: str, records: Iterable[Iterable[str]], *, confirm: bool = False) -> dict[str, Any]:
    """Run `flow` over exactly the re-driven rows of its tables (an empty time window plus those keys)."""
    from vtex_sync.airflow.connections import build_context, load_settings
    from vtex_sync.db import utcnow
    from vtex_sync.flows.incremental import FLOWS, Extra, total_counts, with_extras
    from vtex_sync.flows.runner import Window

    tables = by_flow(records).get(flow, {})
    if not tables:
        log.info("re-drive %s: no record for this flow", flow)
        return {"flow": flow, "records": 0, "counts": {}}
    ctx = build_context(settings=load_settings())
    extras = {table: Extra(frozenset(keys)) for table, keys in tables.items()}
    log.info("re-drive %s: %s", flow, ", ".join(f"{table} {sorted(keys)}" for table, keys in tables.items()))
    now = utcnow()
    outcomes = FLOWS[flow](with_extras(ctx, extras), Window(now, now), confirm=confirm)
    still = {(q.entity, q.erp_key) for q in ctx.state.open_quarantine(ctx.account)}
    held = sorted(f"{t} {k}" for t, keys in tables.items() for k in keys if (t, k) in still)
    if held:
        log.warning(
            "re-drive %s: still quarantined (the ERP row is still invalid): %s", flow, ", ".join(held)
        )
    return {
        "flow": flow,
        "records": sum(map(len, tables.values())),
        "counts": total_counts(outcomes),
        "still_quarantined": len(held),
    }


def conf_for(records: list[tuple[str, str]], user: str) -> Mapping[str, Any]:
    return {"records": [list(pair) for pair in records], "requested_by": user}
