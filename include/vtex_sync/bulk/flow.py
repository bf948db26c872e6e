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
from vtex_provider.clients.bulk_pricing import BulkPricingRefusedError
from vtex_sync.bulk.files import BatchFile, BulkKind, inventory_file, price_files
from vtex_sync.bulk.job import BatchSender, Sent
from vtex_sync.bulk.journal import journal_key
from vtex_sync.flows.engine import EntityReport, EntitySpec, Planned, apply
from vtex_sync.records import Action

log = logging.getLogger(__name__)

DEFAULT_BULK_THRESHOLD = 1000
# the files of each entity, phase by phase: a fixed price needs its SKU's base price first
PHASES: dict[str, tuple[tuple[BulkKind, ...], ...]] = {
    "price": ((BulkKind.BASE_PRICES,), (BulkKind.FIXED_PRICES,)),
    "inventory": ((BulkKind.INVENTORY,),),
}


class Mode(StrEnum):
    PER_RECORD = "per_record"
    BULK = "bulk"


def apply_planned(ctx: Any, spec: EntitySpec, planned: list[Planned], batch: Any = None) -> EntityReport:
    """What `engine.apply` does, in bulk when the volume calls for it (see the module doc).

    Inside a deferrable task (``ctx.deferred`` is a list) the batches are only started and
    handed to the task to wait for; elsewhere this waits for them and finishes them here.
    """
    part = f"{batch.index}/{batch.count}" if batch is not None else "all"
    shown = f" batch {batch.index + 1}/{batch.count}" if batch is not None and batch.count > 1 else ""
    writes = sum(1 for p in planned if p.action in (Action.CREATE, Action.UPDATE))
    if choose(ctx, spec, writes, shown) is Mode.PER_RECORD:
        return apply(ctx, spec, planned)
    run_key = getattr(ctx, "run_key", None) or "local"
    deferred = getattr(ctx, "deferred", None)
    if deferred is not None:
        started = start(ctx, spec, planned, run_key=run_key, part=part)
        deferred.append((spec, started, part))
        return started.outcome or EntityReport(spec.name)
    poll = float(getattr(ctx.settings, "bulk_poll_seconds", 5.0))
    return run_blocking(ctx, spec, planned, run_key=run_key, part=part, poll_interval=poll)


def batch_rows(step: str, rows: int, batch_size: int, settings: Any) -> int:
    """ERP rows per task for a step: ``bulk_batch_size`` when the step will take the bulk path
    (its table reaches the threshold), so each task sends one file per batch kind."""
    threshold = int(getattr(settings, "bulk_threshold", DEFAULT_BULK_THRESHOLD))
    bulk = step == "prices" or (step == "inventory" and getattr(settings, "batch_inventory", False))
    if not bulk or rows < threshold:
        return batch_size
    size = max(batch_size, int(getattr(settings, "bulk_batch_size", batch_size)))
    log.info("%s: %s ERP rows reach the bulk threshold %s: bulk path, tasks of up to %s rows",
             step, f"{rows:,}", f"{threshold:,}", f"{size:,}")
    return size


def bulk_threshold(ctx: Any) -> int:
    return int(getattr(ctx.settings, "bulk_threshold", DEFAULT_BULK_THRESHOLD))


def choose(ctx: Any, spec: EntitySpec, writes: int, part: str = "") -> Mode:
    """Bulk when the writes reach the threshold and the entity has a batch API that is on."""
    threshold = bulk_threshold(ctx)
    where = f"{spec.name}{part}"
    if spec.name not in PHASES or ctx.dry_run:
        return Mode.PER_RECORD
    if spec.name == "inventory" and not getattr(ctx.settings, "batch_inventory", False):
        if writes >= threshold:
            log.info("%s: %s writes, per item (batch inventory is off: setting batch_inventory)",
                     where, f"{writes:,}")
        return Mode.PER_RECORD
    mode = Mode.BULK if writes >= threshold else Mode.PER_RECORD
    log.log(logging.INFO if writes else logging.DEBUG,  # nothing to write: nothing to choose
            "%s: %s writes planned, threshold %s -> %s", where, f"{writes:,}", f"{threshold:,}", mode.value)
    return mode


@dataclass
class Started:
    """The batches one phase of a step batch waits for, and what came before it: the per-item
    part (first phase) and the records that already failed (later phases)."""

    sent: list[Sent] = field(default_factory=list)
    outcome: EntityReport | None = None
    phase: int = 0
    failed: set[str] = field(default_factory=set)


def _key(run_key: str, spec: EntitySpec, part: str, kind: BulkKind) -> str:
    return journal_key(run_key, spec.name, part, kind.value)


def start(ctx: Any, spec: EntitySpec, planned: list[Planned], *, run_key: str, part: str) -> Started:
    """Apply the per-item part at once, send the first phase's files and hold the later ones
    (all found again after a retry)."""
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
        first, *later = PHASES[spec.name]
        for kind in first:
            item = sender.send(_key(run_key, spec, part, kind), kind, files.get(kind))
            if item is not None:
                sent.append(item)
        for phase in later:
            for kind in phase:
                sender.hold(_key(run_key, spec, part, kind), kind, files.get(kind))
    except (BatchInventoryRefusedError, BulkPricingRefusedError) as error:
        log.warning("%s: VTEX refused the batch API (%s %s); writing per item instead",
                    spec.name, error.status, error.path)
        for phase in PHASES[spec.name]:
            for kind in phase:
                sender.journal.forget(_key(run_key, spec, part, kind))
        per_item, sent = todo, []
    outcome = apply(ctx, spec, rest + per_item)
    return Started(sent, outcome)


def finish(
    ctx: Any, spec: EntitySpec, started: Started, event: dict[str, Any], *, run_key: str, part: str
) -> tuple[EntityReport, Started | None]:
    """Record a finished phase; the report so far and the next phase's batches (None: done)."""
    sender = BatchSender(ctx)
    phases = PHASES[spec.name]
    later = {key for phase in phases[started.phase + 1:] for kind in phase
             for key in sender.held(_key(run_key, spec, part, kind))}
    report = EntityReport(spec.name)
    if started.outcome is not None:
        report.add(started.outcome)
    failed = set(started.failed)
    if started.sent:
        phase_report, phase_failed = sender.finish(spec.name, started.sent, event, later=later, done=failed)
        report.add(phase_report)
        failed |= phase_failed
    for index in range(started.phase + 1, len(phases)):
        sent = [item for kind in phases[index]
                if (item := sender.send(_key(run_key, spec, part, kind), kind, None)) is not None]
        if sent:
            return report, Started(sent, None, index, failed)
    return report, None


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
    """Start, wait in this process, finish, phase after phase (outside a deferrable operator)."""
    from vtex_provider.triggers.vtex_batch import wait_blocking

    waiter = wait or wait_blocking
    started: Started | None = start(ctx, spec, planned, run_key=run_key, part=part)
    report = EntityReport(spec.name)
    while started is not None:
        event: dict[str, Any] = {"batches": []}
        if started.sent:
            event = waiter(ctx.hook, [s.pair for s in started.sent], poll_interval=poll_interval)
        done, started = finish(ctx, spec, started, event, run_key=run_key, part=part)
        report.add(done)
    return report
