"""Run the ERP's pending order write-backs: per order in turn, orders in parallel."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from vtex_sync.orders import cancellations, writebacks
from vtex_sync.orders.outcome import Outcome
from vtex_sync.orders.statuses import FULFILLMENT_KINDS

log = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 30

# kind -> (ERP query, sender), in FULFILLMENT_KINDS order
KINDS: dict[str, tuple[str, Callable[[Any, Mapping[str, Any]], Outcome]]] = {
    "cancellations": ("pending_cancellations", lambda ctx, row: cancellations.apply_decision(ctx, row)),
    "changes": ("pending_changes", writebacks.send_change),
    "invoices": ("pending_invoices", writebacks.send_invoice),
    "shipments": ("pending_shipments", writebacks.send_shipment),
}
KIND_NAMES = FULFILLMENT_KINDS


def _send_order_rows(ctx: Any, send: Callable, rows: list[Mapping[str, Any]]) -> list[Outcome]:
    order_id = rows[0]["vtex_order_id"]
    outcomes = []
    try:
        with ctx.state.order_lock(ctx.account, order_id, wait_seconds=LOCK_WAIT_SECONDS):
            for row in rows:
                try:
                    outcomes.append(send(ctx, row))
                except Exception as exc:  # per-order isolation: report, retry next run
                    log.warning("order %s: %s: %s", order_id, type(exc).__name__, exc)
                    outcomes.append(Outcome.retry(f"{type(exc).__name__}: {exc}"))
    except TimeoutError as exc:
        outcomes.extend(Outcome.retry(str(exc)) for _ in rows[len(outcomes):])
    return outcomes


def run_kind(ctx: Any, kind: str, *, max_workers: int | None = None) -> dict[str, int]:
    """Send every pending write-back of one kind; returns counts by outcome."""
    query, send = KINDS[kind]
    rows = getattr(ctx.erp, query)()
    counts: Counter[str] = Counter(pending=len(rows))
    if ctx.dry_run:
        log.info("%s: dry run, %s pending, nothing sent", kind, len(rows))
        return dict(counts)
    by_order: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_order.setdefault(row["vtex_order_id"], []).append(row)
    results = ctx.executor.map(lambda group: _send_order_rows(ctx, send, group),
                                      list(by_order.values()), max_workers=max_workers)
    for result in results:
        for outcome in result.value or [Outcome.retry(str(result.error))]:
            counts[outcome.status] += 1
    summary = {k: counts.get(k, 0) for k in ("pending", "done", "retry", "failed", "skipped")}
    log.info("%s: pending %s | confirmed %s | retry later %s | failed %s", kind,
             *(f"{summary[k]:,}" for k in ("pending", "done", "retry", "failed")))
    return summary


def run_fulfillment(ctx: Any, kinds: tuple[str, ...] = KIND_NAMES) -> dict[str, dict[str, int]]:
    return {kind: run_kind(ctx, kind) for kind in kinds}
