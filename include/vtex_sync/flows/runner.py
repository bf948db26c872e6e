"""Run one entity end to end: read the ERP, validate, plan, apply, log one line per phase."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vtex_sync.bulk.flow import apply_planned
from vtex_sync.erp import validate_rows
from vtex_sync.erp.cells import normalise_text
from vtex_sync.erp.validation import row_key
from vtex_sync.flows.engine import EntityReport, EntitySpec, plan
from vtex_sync.flows.removal import dropped_keys, remove
from vtex_sync.flows.report import format_counts, had_work
from vtex_sync.flows.setup_guard import check_plan
from vtex_sync.records import Action, RecordStatus

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """``since <= updated_at < until`` (either end open)."""

    since: datetime | None = None
    until: datetime | None = None

    def __str__(self) -> str:
        return f"{self.since or '-inf'} .. {self.until or '+inf'}"


@dataclass(frozen=True)
class Batch:
    """One of ``count`` disjoint slices of a table: the first key column in ``[low, high)``
    when the batch plan gave a key range (the ERP reads only that slice), else by a stable hash
    of the first key column (the ERP streams the table and the rows are filtered here). Either
    way the rows sharing their first key column (a SKU's stock and fixed prices, a product's
    specifications) fall in the same batch."""

    index: int
    count: int
    low: str | None = None
    high: str | None = None

    @property
    def ranged(self) -> bool:
        return self.count > 1 and (self.low is not None or self.high is not None)

    @property
    def key_range(self) -> tuple[str | None, str | None]:
        return (self.low, self.high)

    def holds(self, key: str) -> bool:
        first = key.split("|", 1)[0]
        if self.ranged:
            return (self.low is None or first >= self.low) and (self.high is None or first < self.high)
        return self.count <= 1 or zlib.crc32(first.encode()) % self.count == self.index


def read_table(
    ctx: SyncContext, table: str, *, window: Window | None = None, batch: Batch | None = None
) -> list[dict[str, Any]]:
    """Raw ERP rows of ``table`` in the window and batch."""
    window = window or Window()
    rows: list[dict[str, Any]] = []
    if batch is not None and batch.ranged:
        # the ERP applies the range in its own collation: its rows are the slice
        for chunk in ctx.erp.read(table, since=window.since, until=window.until, key_range=batch.key_range):
            rows.extend(chunk)
        return rows
    for chunk in ctx.erp.read(table, since=window.since, until=window.until):
        rows.extend(r for r in chunk if batch is None or batch.holds(row_key(table, r)))
    return rows


def known_parents(ctx: Any, table: str, raw: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Parent table -> the keys, among those `raw` names, that exist: bound in the id map (the
    parent reached VTEX, or waits there) or, for the others only, found in the ERP by key. A row
    naming any other parent is quarantined as ``unknown_parent`` instead of waiting for it for
    ever. (A category's own parent is checked by the tree check.) Reads no parent table whole."""
    from vtex_sync.entities import entities
    from vtex_sync.erp.validation import PARENTS

    by_table = {e.table: e.name for e in entities().values() if not e.derived}
    named: dict[str, set[str]] = {}
    for column, parent in PARENTS.get(table, {}).items():
        if table == "categories" and column == "parent_code":
            continue
        keys = named.setdefault(parent, set())
        keys.update(normalise_text(str(v)) for row in raw if (v := row.get(column)) not in (None, ""))
    known: dict[str, set[str]] = {}
    for parent, keys in named.items():
        found = set(ctx.state.bindings(ctx.account, by_table[parent], keys)) if parent in by_table else set()
        missing = keys - found
        if missing:
            found |= {row_key(parent, row) for row in ctx.erp.read_keys(parent, missing)}
        known[parent] = found
    return known


def load_valid(
    ctx: SyncContext, table: str, *, window: Window | None = None, batch: Batch | None = None
) -> tuple[list[Any], int]:
    """Validated rows of ``table`` and how many were quarantined (and reported). A valid row
    that holds a bad value back (a SKU's EAN) keeps its entry open and is not counted here:
    the entity it holds back counts it (`run_entity`). Rows now entirely valid are released."""
    raw = read_table(ctx, table, window=window, batch=batch)
    result = validate_rows(table, raw, known=known_parents(ctx, table, raw))
    holding = {entry.key for entry in result.quarantined if entry.held_back}
    if not ctx.dry_run:
        ctx.state.quarantine_entries(ctx.account, result.quarantined)
        held = {q.erp_key for q in ctx.state.open_quarantine(ctx.account, table)}
        for row in result.valid:  # one write per released row, none for rows never held
            if (key := row_key(table, row)) in held and key not in holding:
                ctx.state.resolve_quarantine(ctx.account, table, key)
    for entry in result.quarantined:
        log.warning(
            "%s %s %s: field %s = %r breaks rule %s (%s)",
            f"held back {entry.held_back} of" if entry.held_back else "quarantined",
            table,
            entry.key,
            entry.field,
            entry.value,
            entry.rule,
            entry.message,
        )
    return result.valid, sum(1 for entry in result.quarantined if not entry.held_back)


def run_entity(
    ctx: SyncContext,
    spec: EntitySpec,
    *,
    window: Window | None = None,
    batch: Batch | None = None,
    rows: list[Any] | None = None,
    quarantined: int = 0,
    waves: Callable[[list[Any]], Iterable[list[Any]]] | None = None,
    actions: frozenset[str] = frozenset({Action.CREATE, Action.UPDATE}),
    plannable: dict[str, set[str]] | None = None,
    hold: RecordStatus | None = None,
) -> EntityReport:
    """Sync one entity. ``actions`` limits what is written (the SKUs step creates, the activation
    step updates); with `hold`, a record whose write is held back is given that status, so the
    later pass reads exactly those records again."""
    if rows is None:
        rows, quarantined = load_valid(ctx, spec.table, window=window, batch=batch)
    rows, held = _without_held(spec, rows)
    records = spec.records(rows)
    where = f" (window {window})" if window and (window.since or window.until) else ""
    part = f" batch {batch.index + 1}/{batch.count}" if batch and batch.count > 1 else ""
    log.debug("%s%s: read %s valid rows from %s%s", spec.name, part, f"{len(records):,}", spec.table, where)
    outcome = EntityReport(spec.name)
    outcome.counts["quarantined"] += quarantined + held
    calls_before = ctx.executor.calls
    for wave in waves(records) if waves else [records]:
        planned = plan(ctx, spec, wave, plannable=plannable)
        check_plan(ctx, spec.name, planned)
        writes = (Action.CREATE, Action.UPDATE)
        deferred = [p for p in planned if p.action in writes and p.action not in actions]
        for item in deferred:
            item.action = Action.UNCHANGED
        if hold is not None and deferred and not ctx.dry_run:
            waiting = set(ctx.state.keys_with_status(ctx.account, spec.name, [hold]))
            for item in deferred:
                if item.key not in waiting:
                    ctx.state.set_status(ctx.account, spec.name, item.key, hold, "held for the next pass")
        if ctx.dry_run:
            outcome.counts.update(_dry_run_counts(spec, planned, deferred, actions))
        else:
            outcome.add(apply_planned(ctx, spec, planned, batch))
    if spec.entity.derived and spec.entity.removal is not None:
        dropped = dropped_keys(ctx, spec, rows, records)
        if dropped:  # a trade policy taken off a product's list: counted as the step's own
            removed = remove(ctx, spec, dropped, "dropped by the ERP")
            outcome.counts.update({k: v for k, v in removed.counts.items() if k != "planned"})
            outcome.failures.extend(removed.failures)
    if not ctx.dry_run:
        outcome.counts["calls"] += ctx.executor.calls - calls_before
    # a phase with nothing to write stays out of the log (the step or flow says so once)
    level = logging.INFO if had_work(outcome.counts) else logging.DEBUG
    log.log(level, "%s%s: %s", spec.name, part, format_counts(outcome.counts))
    for failure in outcome.failures:
        log.warning("%s %s failed: %s -> %s", spec.name, failure.key, failure.call, failure.reason)
    return outcome


def _without_held(spec: EntitySpec, rows: list[Any]) -> tuple[list[Any], int]:
    """The rows this entity's records are made from: a row that holds back one of the entity's
    source columns (a bad EAN) makes none. Also how many rows were left out."""
    fields = frozenset(spec.entity.fields)
    if not fields:
        return rows, 0
    kept = [row for row in rows if not fields & getattr(row, "held", frozenset())]
    return kept, len(rows) - len(kept)


def _dry_run_counts(
    spec: EntitySpec, planned: list[Any], deferred: list[Any], actions: frozenset[str]
) -> dict:
    """What a real run would report, without writing anything."""
    counts = {"planned": len(planned)}
    deferred_ids = {id(item) for item in deferred}
    for item in planned:
        if item.action == Action.CREATE:
            counts["created"] = counts.get("created", 0) + 1
        elif item.action == Action.UPDATE:
            counts["updated"] = counts.get("updated", 0) + 1
        elif item.action == Action.WAITING:
            counts["waiting_parent"] = counts.get("waiting_parent", 0) + 1
        elif id(item) not in deferred_ids:
            counts["unchanged"] = counts.get("unchanged", 0) + 1
    for item in deferred:
        # an update-only pass after creates (SKU activation) updates what was just created,
        # unless VTEX makes the created object what the ERP row builds by itself
        would_update = (
            Action.UPDATE in actions
            and item.payload is not None
            and (item.vtex_id is not None
                 or not (spec.created_as_built or spec.create_payload(item.payload) == item.payload))
        )
        key = "updated" if would_update else "unchanged"
        counts[key] = counts.get(key, 0) + 1
    return counts
