"""The blast-radius guard for an initial setup that runs over a loaded store.

A first setup creates everything (nothing to guard). Re-run over a store VTEX already holds,
its inventory and prices steps become updates, and a bad ERP export could zero the stock or
move the prices of most of the catalog. Each batch is checked before it writes: the share is
taken over the records of this batch VTEX already has (batches are hash slices of the table,
so a batch's share stands for the whole run's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vtex_sync.erp import validate_rows
from vtex_sync.flows import commerce as com
from vtex_sync.flows import guard
from vtex_sync.flows.engine import Planned, plan
from vtex_sync.flows.runner import Batch, Window, read_table
from vtex_sync.records import Action


def _bound(planned: list[Planned], *, by_sku: bool = False) -> int:
    bound = (p for p in planned if p.action in (Action.UPDATE, Action.UNCHANGED))
    keys = {p.key.split("|", 1)[0] if by_sku else p.key for p in bound}
    return len(keys)


def _inventory(ctx: Any, batch: Batch | None, window: Window | None) -> guard.Breach | None:
    rows = validate_rows("stock", read_table(ctx, "stock", window=window, batch=batch)).valid
    planned = plan(ctx, com.INVENTORY, rows)
    return guard.zero_stock(ctx, planned, total=_bound(planned, by_sku=True))


def _prices(ctx: Any, batch: Batch | None, window: Window | None) -> guard.Breach | None:
    from vtex_sync.flows.setup import SkuBatch

    base = validate_rows("prices", read_table(ctx, "prices", window=window, batch=batch)).valid
    fixed_batch = batch and SkuBatch(batch.index, batch.count)
    fixed_rows = read_table(ctx, "fixed_prices", window=window, batch=fixed_batch)
    fixed = validate_rows("fixed_prices", fixed_rows).valid
    planned = plan(ctx, com.PRICES, com.price_records(base, fixed))
    return guard.price_moves(ctx, planned, total=_bound(planned))


CHECKS: dict[str, Callable[[Any, Batch | None, Window | None], guard.Breach | None]] = {
    "inventory": _inventory,
    "prices": _prices,
}


def check_step(ctx: Any, step: str, batch: Batch | None, window: Window | None, *, confirm: bool) -> None:
    """Raise `guard.BlastRadiusExceeded` before the step writes, unless confirmed."""
    check = CHECKS.get(step)
    if check is None or ctx.dry_run:
        return
    guard.enforce(f"initial setup {step}", [check(ctx, batch, window)], confirm=confirm)
