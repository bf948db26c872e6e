"""Repair drift by re-sending the ERP's version through the normal sync flows.

The drifted records' last-push hashes are cleared, so the flow's plan sees them as changed;
the flow then reads exactly those ERP rows (by key, with an empty time window) and writes them
with its usual guarantees: read-modify-write updates, the id map, the blast-radius guard.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import update

from vtex_sync.db import utcnow
from vtex_sync.drift.reconcile import Group
from vtex_sync.flows.engine import EntityReport
from vtex_sync.flows.runner import Window
from vtex_sync.state import tables as t

log = logging.getLogger(__name__)

# reconciled entity -> ERP table whose rows carry the fix
TABLES = {"product": "products", "sku": "skus", "price": "prices", "inventory": "stock"}
CHUNK = 500


def forget_pushes(state: Any, account: str, entity: str, keys: Iterable[str]) -> int:
    """Clear the last-push hash of bound records, so the next plan re-sends them."""
    keys = sorted(set(keys))
    b = t.bindings.c
    changed = 0
    with state.engine.begin() as conn:
        for start in range(0, len(keys), CHUNK):
            result = conn.execute(
                update(t.bindings)
                .where(
                    b.account == account,
                    b.entity == entity,
                    b.erp_key.in_(keys[start : start + CHUNK]),
                    b.vtex_id.is_not(None),
                )
                .values(payload_hash=None, updated_at=utcnow())
            )
            changed += result.rowcount
    return changed


def repair(ctx: Any, group: Group, drifted: Mapping[str, list[str]], *, confirm: bool) -> list[EntityReport]:
    """Re-send the ERP's version of the `drifted` keys (per entity) through `group`'s sync flow."""
    from vtex_sync.flows.incremental import FLOWS, Extra, with_extras

    drifted = {entity: keys for entity, keys in drifted.items() if keys}
    if not drifted:
        return []
    extras: dict[str, Extra] = {}
    for entity, keys in drifted.items():
        forget_pushes(ctx.state, ctx.account, entity, keys)
        extras[TABLES[entity]] = Extra(frozenset(keys))
        if entity == "price":
            extras["fixed_prices"] = Extra(frozenset(keys), column="sku_ref_id")
    log.info("repairing %s", ", ".join(f"{len(keys):,} {entity}" for entity, keys in drifted.items()))
    now = utcnow()
    flow = {Group.CATALOG: "catalog", Group.PRICES: "prices", Group.INVENTORY: "inventory"}[group]
    return FLOWS[flow](with_extras(ctx, extras), Window(now, now), confirm=confirm)
