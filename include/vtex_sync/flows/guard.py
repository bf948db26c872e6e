"""Blast-radius guard: stop a run whose plan would change too much of what VTEX has, before any write.

Shares are taken against what VTEX currently holds (the id map), so a small window over a
large catalog never trips, and a run that really touches most of the store does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vtex_sync.flows.engine import Planned
from vtex_sync.records import Action

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Breach:
    """One limit a plan goes past: ``count`` of ``total`` records, allowed share ``limit``."""

    what: str
    count: int
    total: int
    limit: float

    def __str__(self) -> str:
        return (
            f"{self.what}: {self.count:,} of {self.total:,} ({self.count / self.total:.0%}), "
            f"limit {self.limit:.0%}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "count": self.count, "total": self.total, "limit": self.limit}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Breach:
        return cls(str(data["what"]), int(data["count"]), int(data["total"]), float(data["limit"]))

    def within(self, approved: Iterable[Breach]) -> bool:
        """True when an operator approved the same limit for at least this many records."""
        return any(a.what == self.what and self.count <= a.count for a in approved)


class BlastRadiusExceeded(Exception):
    """The plan goes past at least one limit and the run was not confirmed."""

    def __init__(self, flow: str, breaches: Sequence[Breach]) -> None:
        self.flow = flow
        self.breaches = tuple(breaches)
        reasons = "; ".join(str(b) for b in breaches)
        super().__init__(
            f"{flow}: stopped before writing anything - {reasons}. "
            "If this is intended, trigger the run again with confirm_blast_radius: true."
        )


def share_breach(what: str, count: int, total: int, limit: float) -> Breach | None:
    """A `Breach` when ``count / total`` is above `limit` (never when VTEX holds nothing yet)."""
    if count == 0 or total == 0 or count / total <= limit:
        return None
    return Breach(what, count, total, limit)


def _updates(planned: Iterable[Planned]) -> list[Planned]:
    return [p for p in planned if p.action == Action.UPDATE and p.payload is not None]


def zero_stock(ctx: SyncContext, planned: Iterable[Planned], *, total: int | None = None) -> Breach | None:
    """SKUs whose stock in some warehouse an update would set to zero (not unlimited).
    `total`: the SKUs to compare with (default: every SKU VTEX holds)."""
    zeroed = {
        p.key.split("|", 1)[0]
        for p in _updates(planned)
        if p.payload.body.quantity == 0 and not p.payload.body.unlimited_quantity
    }
    if not zeroed:
        return None
    total = ctx.state.count_bound(ctx.account, "sku") if total is None else total
    limit = ctx.settings.max_zero_stock_share
    return share_breach("SKUs whose stock goes to zero", len(zeroed), total, limit)


def deactivations(ctx: SyncContext, entity: str, planned: Iterable[Planned]) -> Breach | None:
    """Products (or SKUs) an update would send with ``IsActive: false``."""
    count = sum(1 for p in _updates(planned) if p.payload.is_active is False)
    if not count:
        return None
    total = ctx.state.count_bound(ctx.account, entity)
    return share_breach(f"{entity}s deactivated", count, total, ctx.settings.max_deactivate_share)


def price_moves(ctx: SyncContext, planned: Iterable[Planned], *, total: int | None = None) -> Breach | None:
    """SKUs whose base price moves by more than ``max_price_move_pct`` percent.

    VTEX's current prices are read only when enough SKUs change to possibly pass the limit,
    so an ordinary run makes no extra call.
    """
    settings = ctx.settings
    updates = _updates(planned)
    if total is None:
        total = ctx.state.count_bound(ctx.account, "price") if updates else 0
    if share_breach("", len(updates), total, settings.max_price_move_share) is None:
        return None
    current = ctx.executor.map(lambda p: ctx.clients.pricing.get_price(p.payload.path[0]), updates)
    moved = 0
    for item, result in zip(updates, current, strict=True):
        before = getattr(result.value, "base_price", None) if result.error is None else None
        after = item.payload.body.base_price
        if before and abs(after - before) / before * 100 > settings.max_price_move_pct:
            moved += 1
    what = f"SKUs whose base price moves more than {settings.max_price_move_pct:g}%"
    return share_breach(what, moved, total, settings.max_price_move_share)


def removals(ctx: SyncContext, entity: str, count: int) -> Breach | None:
    """Products or SKUs whose ERP rows were deleted, which the run would deactivate."""
    total = ctx.state.count_bound(ctx.account, entity)
    return share_breach(f"{entity}s deleted from the ERP", count, total, ctx.settings.max_deactivate_share)


# a run's confirmation: True, or the breaches an operator approved
Confirmation = bool | Sequence[Breach]


def enforce(flow: str, breaches: Iterable[Breach | None], *, confirm: Confirmation) -> None:
    """Raise `BlastRadiusExceeded` for any breach, unless the run was confirmed (then log it).

    `confirm` is True (a confirmed run), or the breaches an operator approved: then the run goes on
    only while every breach is within one approved (same limit, no more records than approved).
    """
    found = [b for b in breaches if b is not None]
    if not found:
        log.debug("%s: blast-radius guard passed", flow)
        return
    if confirm is True or (confirm and all(b.within(confirm) for b in found)):
        log.warning("%s: blast-radius limits passed but confirmed: %s", flow, "; ".join(map(str, found)))
        return
    error = BlastRadiusExceeded(flow, found)
    log.error("%s", error)
    raise error
