"""The sweep: list VTEX's orders of a creation-date window and repair what the ERP lacks."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from vtex_provider.models.oms import OrderSummary
from vtex_sync.orders.processing import repair
from vtex_sync.orders.statuses import CANCEL_REQUESTS, CANCELED, HANDED_OVER, READY

log = logging.getLogger(__name__)

PER_PAGE = 100
MAX_PAGES = 30  # VTEX serves at most 30 pages of one query
SMALLEST_WINDOW = timedelta(seconds=1)


def vtex_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def orders_in_window(oms: Any, start: datetime, end: datetime) -> Iterator[OrderSummary]:
    """Every order created from `start` to `end`, each once; windows over VTEX's 30-page cap are
    split in two.

    Both bounds are sent to the millisecond and inclusive, so windows that share a bound overlap
    by that millisecond instead of leaving a gap for orders created within it.
    """
    seen: set[str] = set()
    for summary in _listed(oms, start, end):
        if summary.order_id not in seen:
            seen.add(summary.order_id)
            yield summary


def _listed(oms: Any, start: datetime, end: datetime) -> Iterator[OrderSummary]:
    created = {"created_from": vtex_time(start), "created_to": vtex_time(end)}
    first_page = oms.list_orders(**created, page=1, per_page=PER_PAGE)
    if first_page.paging.pages > MAX_PAGES and end - start > SMALLEST_WINDOW:
        middle = start + (end - start) / 2
        yield from _listed(oms, start, middle)
        yield from _listed(oms, middle, end)
        return
    yield from first_page.orders
    for page in range(2, min(first_page.paging.pages, MAX_PAGES) + 1):
        yield from oms.list_orders(**created, page=page, per_page=PER_PAGE).orders


def out_of_step(summary: OrderSummary, erp_row: dict[str, Any] | None) -> str | None:
    """Why the ERP disagrees with VTEX about this order, or None when they agree."""
    status = summary.status or ""
    if status in HANDED_OVER and erp_row is None:
        return "missing from the ERP"
    if erp_row is None:
        return None
    if status == READY:
        return "handling not started"
    if status in CANCELED and erp_row["status"] != "canceled":
        return "canceled in VTEX, not in the ERP"
    if status in CANCEL_REQUESTS and erp_row["status"] != "cancel_requested":
        return "cancellation request not recorded"
    if status in HANDED_OVER and erp_row.get("vtex_status") != status:
        return f"ERP records VTEX status {erp_row.get('vtex_status')}"  # e.g. consumer died mid-order
    return None


def reconcile_window(ctx: Any, start: datetime, end: datetime) -> dict[str, int]:
    """Sweep the orders created from `start` to `end`; out-of-step orders go through the feed's path."""
    counts: Counter[str] = Counter()
    for summary in orders_in_window(ctx.clients.oms, start, end):
        counts["listed"] += 1
        reason = out_of_step(summary, ctx.erp.get_sales_order(summary.order_id))
        if reason is None:
            continue
        counts["out_of_step"] += 1
        log.info("order %s (%s): %s", summary.order_id, summary.status, reason)
        if ctx.dry_run:
            continue
        outcome = repair(ctx, summary.order_id, summary.status or "", summary.last_change)
        counts["repaired" if outcome.status == "done" else outcome.status] += 1
    totals = {key: counts.get(key, 0) for key in ("listed", "out_of_step", "repaired", "skipped",
                                                  "quarantined", "retry", "failed")}
    log.info("sweep %s .. %s: listed %s | out of step %s | repaired %s | quarantined %s | retry %s | "
             "failed %s", vtex_time(start), vtex_time(end),
             *(f"{totals[k]:,}" for k in ("listed", "out_of_step", "repaired", "quarantined", "retry",
                                            "failed")))
    return totals
