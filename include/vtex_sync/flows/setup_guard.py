"""The blast-radius guard for an initial setup that runs over a loaded store.

A first setup creates everything (nothing to guard). Re-run over a store VTEX already holds,
its inventory and prices steps become updates, and a bad ERP export could zero the stock or
move the prices of most of the catalog. Each batch is checked on its plan, before it writes:
the share is taken over the records of this batch VTEX already has (batches are slices of the
table, so a batch's share stands for the whole run's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vtex_sync.flows import guard
from vtex_sync.flows.engine import Planned
from vtex_sync.records import Action


def _bound(planned: list[Planned], *, by_sku: bool = False) -> int:
    bound = (p for p in planned if p.action in (Action.UPDATE, Action.UNCHANGED))
    keys = {p.key.split("|", 1)[0] if by_sku else p.key for p in bound}
    return len(keys)


def _inventory(ctx: Any, planned: list[Planned]) -> guard.Breach | None:
    return guard.zero_stock(ctx, planned, total=_bound(planned, by_sku=True))


def _prices(ctx: Any, planned: list[Planned]) -> guard.Breach | None:
    return guard.price_moves(ctx, planned, total=_bound(planned))


# by entity: what its plan is checked for
CHECKS: dict[str, Callable[[Any, list[Planned]], guard.Breach | None]] = {
    "inventory": _inventory,
    "price": _prices,
}


def check_plan(ctx: Any, entity: str, planned: list[Planned]) -> None:
    """Raise `guard.BlastRadiusExceeded` before an initial-setup step writes, unless the run
    confirmed it (``ctx.confirm_blast_radius``; None: the caller guards its own run)."""
    check = CHECKS.get(entity)
    confirm = getattr(ctx, "confirm_blast_radius", None)
    if check is None or confirm is None or ctx.dry_run:
        return
    guard.enforce(f"initial setup {entity}", [check(ctx, planned)], confirm=confirm)
