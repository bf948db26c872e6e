"""Records the ERP dropped, removed in VTEX.

Two ways a record is dropped: its row is deleted outright (found by reading only the ERP's key
columns against the id map), or a derived record is no longer made from a row that is still
there (a trade policy taken off a product's list). Which entities are removed, and how
(deactivated or deleted), is the entity catalogue's `Entity.removal`; the VTEX call is the
entity's `EntitySpec.remove`, handed the record's binding. A record is removed once: its
binding is then marked ``removed``, and a row that comes back is written again in full.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from vtex_sync.entities import Entity, Removal
from vtex_sync.erp.cells import normalise_text
from vtex_sync.erp.validation import row_key
from vtex_sync.flows.engine import EntityReport, EntitySpec, Failure
from vtex_sync.flows.report import format_counts
from vtex_sync.records import RecordStatus

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext

log = logging.getLogger(__name__)


def _live(ctx: SyncContext, entity: str) -> dict[str, Any]:
    """Bindings of `entity` VTEX holds and that were not removed yet."""
    return {
        key: b for key, b in ctx.state.bindings(ctx.account, entity).items()
        if b.vtex_id and b.status != RecordStatus.REMOVED
    }


def deleted_keys(ctx: SyncContext, entity: Entity) -> list[str]:
    """Keys bound in VTEX whose ERP row is gone (deleted, not just inactive), not removed yet.

    Reads only the ERP's key columns; makes no VTEX call.
    """
    present = {normalise_text(key) for key in ctx.erp.keys(entity.table)}
    return sorted(key for key in _live(ctx, entity.name) if key not in present)


def dropped_keys(
    ctx: SyncContext, spec: EntitySpec, rows: Iterable[Any], records: Iterable[Any]
) -> list[str]:
    """Derived records bound in VTEX whose source row was read but no longer makes them."""
    sources = {row_key(spec.table, row) for row in rows}
    if not sources:
        return []
    made = {spec.key(record) for record in records}
    readback = spec.entity.readback
    return sorted(
        key for key in _live(ctx, spec.name) if readback.row_key(key) in sources and key not in made
    )


def remove(ctx: SyncContext, spec: EntitySpec, keys: list[str], why: str) -> EntityReport:
    """Send each record's removal (`spec.remove`) and mark it removed; a dry run only counts."""
    report = EntityReport(f"{spec.name}_removed")
    deactivates = spec.entity.removal is Removal.DEACTIVATE
    done = "updated" if deactivates else "removed"
    report.counts["planned"] += len(keys)
    if ctx.dry_run or not keys:
        report.counts[done] += len(keys)
        return report
    assert spec.remove is not None, f"{spec.name}: the catalogue declares a removal, the spec sends none"
    bindings = ctx.state.bindings(ctx.account, spec.name, keys)
    message = f"{why}: {'inactive in' if deactivates else 'removed from'} VTEX"

    def one(key: str) -> None:
        spec.remove(ctx.clients, bindings[key])  # type: ignore[misc]
        # no ERP payload hashes to this: a row that comes back is written again
        ctx.state.record_push(ctx.account, spec.name, key, RecordStatus.REMOVED)
        ctx.state.set_status(ctx.account, spec.name, key, RecordStatus.REMOVED, message)

    for key, result in zip(keys, ctx.executor.map(one, keys), strict=True):
        if result.ok:
            report.counts[done] += 1
        else:
            report.counts["failed"] += 1
            report.failures.append(Failure(key, f"remove {spec.name}", str(result.error)))
            log.warning("%s %s: removal failed: %s", spec.name, key, result.error)
    log.info("%s %s: %s", spec.name, why, format_counts(report.counts))
    return report
