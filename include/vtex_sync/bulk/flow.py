"""Per record or in bulk: how a price or stock step writes what its plan says.

The choice is by volume. A step batch with at least ``bulk_threshold`` writes (setting,
default 1,000) sends them as VTEX batch files: Bulk Pricing for base and fixed prices, batch
inventory for stock when ``batch_inventory`` is on (it is early access on VTEX's side; the
per-item PUT stays the default, and the fallback when VTEX refuses a batch). Below the
threshold each record gets its own call, which is faster for small incremental runs. The
choice is logged with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vtex_provider.clients.batch_inventory import BatchInventoryRefusedError
from vtex_sync.bulk.files import BatchFile, BulkKind, inventory_file, price_files
from vtex_sync.bulk.job import BatchSender, Sent
from vtex_sync.bulk.journal import journal_key
from vtex_sync.flows.engine import EntityReport, EntitySpec, Planned, apply
from vtex_sync.records import Action

log = logging.getLogger(__name__)

DEFAULT_BULK_THRESHOLD = 1000
KINDS = {
    "price": (BulkKind.BASE_PRICES, BulkKind.FIXED_PRICES),
    "inventory": (BulkKind.INVENTORY,),
}


class Mode(StrEnum):
    PER_RECORD = "per_record"
    BULK = "bulk"


def bulk_threshold(ctx: Any) -> int:
    return int(getattr(ctx.settings, "bulk_threshold", DEFAULT_BULK_THRESHOLD))


def choose(ctx: Any, spec: EntitySpec, writes: int, part: str = "") -> Mode:
    """Bulk when the writes reach the threshold and the entity has a batch API that is on."""
    threshold = bulk_threshold(ctx)
    where = f"{spec.name}{part}"
    if spec.name not in KINDS or ctx.dry_run:
        return Mode.PER_RECORD
    if spec.name == "inventory" and not getattr(ctx.settings, "batch_inventory", False):
        if writes >= threshold:
            log.info("%s: %s writes, per item (batch inventory is off: setting batch_inventory)",
                     where, f"{writes:,}")
        return Mode.PER_RECORD
    mode = Mode.BULK if writes >= threshold else Mode.PER_RECORD
    log.info("%s: %s writes planned, threshold %s -> %s", where, f"{writes:,}", f"{threshold:,}", mode.value)
    return mode


@dataclass
class Started:
    """The batches a step batch waits for, and what its per-item part already did."""

    sent: list[Sent] = field(default_factory=list)
    outcome: EntityReport | None = None


def start(ctx: Any, spec: EntitySpec, planned: list[Planned], *, run_key: str, part: str) -> Started:
    """Apply the per-item part at once, send the rest as batches (found again after a retry)."""
    todo = [p for p in planned if p.action in (Action.CREATE, Action.UPDATE)]
    rest = [p for p in planned if p.action not in (Action.CREATE, Action.UPDATE)]
    files: dict[BulkKind, BatchFile] = {}
    per_item: list[Planned] = []
    if spec.name == "price":
        built, per_item = price_files(todo)
        files = {f.kind: f for f in built}
    elif spec.name == "inventory":
        files = {BulkKind.INVENTORY: inventory_file(todo, ctx.account)}
    sender = BatchSender(ctx)
    sent: list[Sent] = []
    try:
        for kind in KINDS[spec.name]:
            item = sender.send(journal_key(run_key, spec.name, part, kind.value), kind, files.get(kind))
            if item is not None:
                sent.append(item)
    except BatchInventoryRefusedError as error:
        log.warning("%s: VTEX refused batch inventory (%s); writing per item instead",
                    spec.name, error.status)
        per_item, sent = todo, []
    outcome = apply(ctx, spec, rest + per_item)
    return Started(sent, outcome)


def finish(ctx: Any, spec: EntitySpec, started: Started, event: dict[str, Any]) -> EntityReport:
    outcome = EntityReport(spec.name)
    if started.outcome is not None:
        outcome.add(started.outcome)
    if started.sent:
        outcome.add(BatchSender(ctx).finish(spec.name, started.sent, event))
    return outcome


def run_blocking(
    ctx: Any,
    spec: EntitySpec,
    planned: list[Planned],
    *,
    run_key: str,
    part: str,
    wait: Callable[..., dict[str, Any]] | None = None,
    poll_interval: float = 5.0,
) -> EntityReport:
    """Start, wait in this process, finish (for runs outside a deferrable operator)."""
    from vtex_provider.triggers.vtex_batch import wait_blocking

    started = start(ctx, spec, planned, run_key=run_key, part=part)
    event: dict[str, Any] = {"batches": []}
    if started.sent:
        waiter = wait or wait_blocking
        event = waiter(ctx.hook, [s.pair for s in started.sent], poll_interval=poll_interval)
    return finish(ctx, spec, started, event)
