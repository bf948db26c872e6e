"""Work through the order inbox: per-order serial, orders in parallel, one bad order isolated."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vtex_sync.db import utcnow
from vtex_sync.orders import cancellations
from vtex_sync.orders.ingest import ORDER_ENTITY, follow_status, ingest_order, mark_canceled
from vtex_sync.orders.outcome import Outcome
from vtex_sync.orders.statuses import CANCEL_REQUESTS, CANCELED, READY
from vtex_sync.state.store import event_key_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # an event that keeps failing is parked as failed (the sweep still watches the order)
CLAIM_LEASE_SECONDS = 300  # also the delay before a transient failure is tried again
LOCK_WAIT_SECONDS = 30


def handle_event(ctx: Any, order_id: str, state: str | None) -> Outcome:
    """Act on one order event: the same code path for feed events and sweep repairs."""
    if state == READY:
        return ingest_order(ctx, order_id)
    if state in CANCEL_REQUESTS:
        return cancellations.handle_request(ctx, order_id)
    if state in CANCELED:
        return mark_canceled(ctx, order_id, state)
    if state:
        return follow_status(ctx, order_id, state)
    return Outcome.skipped("event without a state")


def _safely(ctx: Any, order_id: str, state: str | None) -> Outcome:
    """`handle_event` under the order's lock; unexpected errors become a retry, never a crash."""
    try:
        with ctx.state.order_lock(ctx.account, order_id, wait_seconds=LOCK_WAIT_SECONDS):
            return handle_event(ctx, order_id, state)
    except Exception as exc:  # per-order isolation: report and move on
        log.warning("order %s (%s): %s: %s", order_id, state, type(exc).__name__, exc)
        return Outcome.retry(f"{type(exc).__name__}: {exc}")


def _record(ctx: Any, event_key: str, attempts: int, outcome: Outcome) -> str:
    """Store the event's outcome in the inbox; returns the status recorded."""
    status = outcome.status
    if status == "retry":
        if attempts >= MAX_ATTEMPTS:
            status = "failed"
            log.error("inbox event %s failed %s times, parked: %s", event_key, attempts, outcome.message)
        else:
            ctx.state.inbox_mark(ctx.account, event_key, "claimed", outcome.message)
            return "retry_later"  # stays claimed: claimable again once the lease runs out
    ctx.state.inbox_mark(ctx.account, event_key, status, outcome.message)
    return status


def process_order_events(ctx: Any, events: list[Any]) -> list[str]:
    """The events of one order, in arrival order; returns the status recorded for each."""
    return [_record(ctx, e.event_key, e.attempts, _safely(ctx, e.order_id, e.state)) for e in events]


def process_inbox(
    ctx: Any,
    *,
    time_budget: float = 240.0,
    batch_size: int = 500,
    worker: str | None = None,
    max_workers: int | None = None,
    lease_seconds: float = CLAIM_LEASE_SECONDS,
    retry_quarantine: bool = True,
) -> dict[str, int]:
    """Claim pending inbox events and handle them; orders in parallel, each order's events in turn.

    An event whose handling must be retried stays claimed until `lease_seconds` have passed.
    Quarantined orders are tried again at the end unless `retry_quarantine` is False.
    """
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    deadline = time.monotonic() + time_budget
    started = utcnow()
    counts: Counter[str] = Counter()
    while time.monotonic() < deadline:
        events = ctx.state.inbox_claim(ctx.account, worker, limit=batch_size,
                                       lease_seconds=lease_seconds)
        if not events:
            break
        counts["claimed"] += len(events)
        by_order: dict[str, list[Any]] = {}
        for event in events:
            by_order.setdefault(event.order_id, []).append(event)
        results = ctx.executor.map(lambda group: process_order_events(ctx, group),
                                          list(by_order.values()), max_workers=max_workers)
        for result in results:
            if result.ok:
                counts.update(result.value)
            else:  # the inbox itself failed: leave the claims to expire and be retried
                counts["errors"] += len(result.item)
                log.error("order %s: %s", result.item[0].order_id, result.error)
    if retry_quarantine:
        counts.update({f"quarantine_{k}": v for k, v in retry_quarantined(ctx, before=started).items()})
    summary = {key: counts.get(key, 0) for key in
               ("claimed", "done", "skipped", "quarantined", "retry_later", "failed", "errors")}
    summary |= {k: v for k, v in counts.items() if k.startswith("quarantine_")}
    if not retry_quarantine and not summary["claimed"]:
        return summary  # an empty poll of a loop: nothing worth a log line
    log.info("inbox: claimed %s | done %s | skipped %s | quarantined %s | retry later %s | failed %s",
             *(f"{summary[k]:,}" for k in ("claimed", "done", "skipped", "quarantined", "retry_later",
                                             "failed")))
    return summary


def retry_quarantined(ctx: Any, *, before: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Try quarantined orders again (e.g. after the missing SKU was bound); resolved ones leave it.

    Only entries last seen before `before` (those not just quarantined by this run).
    """
    counts: Counter[str] = Counter()
    held = [r for r in ctx.state.open_quarantine(ctx.account, ORDER_ENTITY)
            if before is None or r.last_seen < before][:limit]
    for record in held:
        outcome = _safely(ctx, record.erp_key, READY)
        counts["released" if outcome.status == "done" else "still_held"] += 1
        if outcome.status in ("done", "skipped"):
            ctx.state.resolve_quarantine(ctx.account, ORDER_ENTITY, record.erp_key)
    return dict(counts)


def sweep_event(order_id: str, status: str, last_change: str | None) -> Mapping[str, Any]:
    """An inbox event for an order the sweep found out of step."""
    return {"orderId": order_id, "state": status, "currentChange": last_change, "source": "sweep"}


def repair(ctx: Any, order_id: str, status: str, last_change: str | None) -> Outcome:
    """Run an order the sweep found out of step through the inbox and the feed's handler."""
    event = sweep_event(order_id, status, last_change)
    ctx.state.inbox_add(ctx.account, event)
    outcome = _safely(ctx, order_id, status)
    ctx.state.inbox_mark(ctx.account, event_key_of(event), "pending" if outcome.status == "retry"
                         else outcome.status, outcome.message)
    return outcome
