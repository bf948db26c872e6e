"""Cancellations: a shopper's request decided by the ERP, and applying a decision in VTEX."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from vtex_provider.exceptions import VtexAmbiguousWriteError, VtexApiError
from vtex_sync.orders.ingest import write_to_erp
from vtex_sync.orders.outcome import Outcome
from vtex_sync.orders.statuses import CANCEL_REQUESTS, CANCELED

log = logging.getLogger(__name__)

CANCEL = "cancel"
TABLE = "order_cancellations"
# ERP statuses after which the goods are invoiced or gone: a shopper's request is denied
PAST_CANCELING = frozenset({"invoiced", "partially_invoiced", "shipped", "delivered"})


def decide(erp_status: str | None) -> str:
    """The ERP's answer to a shopper's cancellation request: ``accept`` or ``deny``."""
    return "deny" if erp_status in PAST_CANCELING else "accept"


def handle_request(ctx: Any, order_id: str, reason: str = "Shopper asked to cancel") -> Outcome:
    """A shopper asked to cancel: record it in the ERP, let the ERP decide, act on the decision."""
    order = ctx.clients.oms.get_order(order_id)
    if order.status in CANCELED:
        row = ctx.erp.get_sales_order(order_id)
        if row is not None and row["status"] != "canceled" and not ctx.dry_run:
            ctx.erp.set_order_status(order_id, "canceled", vtex_status=order.status)
        return Outcome.done("order already canceled in VTEX")
    if order.status not in CANCEL_REQUESTS:
        return Outcome.skipped(f"no open cancellation request (order is {order.status})")
    problem = write_to_erp(ctx, order)
    if problem is not None:
        return problem
    if ctx.dry_run:
        return Outcome.skipped("dry run: would ask the ERP about the cancellation")
    previous = ctx.erp.get_sales_order(order_id)["status"]
    if not ctx.erp.request_cancellation(order_id, reason):
        return Outcome.skipped("cancellation request already recorded in the ERP")
    decision = decide(previous)
    ctx.erp.mark_sync(TABLE, order_id, "pending", f"ERP status was {previous}", decision=decision)
    return apply_decision(ctx, {"vtex_order_id": order_id, "decision": decision, "decided_by": "shopper",
                                "reason": reason}, erp_status_if_denied=previous)


def apply_decision(ctx: Any, row: Mapping[str, Any], *, erp_status_if_denied: str | None = None) -> Outcome:
    """Carry out a decided cancellation row (the caller holds the order's lock)."""
    order_id = row["vtex_order_id"]
    if row["decision"] == "deny":
        return _deny(ctx, order_id, erp_status_if_denied)
    return cancel_in_vtex(ctx, order_id, row.get("reason") or "Canceled by the store")


def _deny(ctx: Any, order_id: str, erp_status: str | None) -> Outcome:
    """VTEX has no call to refuse a request: the order simply carries on (it is invoiced as usual)."""
    if erp_status and erp_status != "cancel_requested":
        ctx.erp.set_order_status(order_id, erp_status)
    message = "cancellation denied by the ERP: the order carries on"
    ctx.erp.mark_sync(TABLE, order_id, "confirmed", message)
    if ctx.state.writeback_begin(ctx.account, order_id, "cancel_decision", "deny"):
        ctx.state.writeback_done(ctx.account, order_id, "cancel_decision", "deny", message)
    log.info("order %s: %s", order_id, message)
    return Outcome.done(message)


def cancel_in_vtex(ctx: Any, order_id: str, reason: str) -> Outcome:
    """Cancel once; read the order back. Refused (invoiced) is final: reported, never retried."""
    oms, state = ctx.clients.oms, ctx.state
    if state.writeback_status(ctx.account, order_id, CANCEL, "1") == "succeeded":
        ctx.erp.mark_sync(TABLE, order_id, "confirmed", "already canceled in VTEX")
        return Outcome.done("already canceled in VTEX")
    state.writeback_begin(ctx.account, order_id, CANCEL, "1")
    refusal = None
    try:
        oms.cancel_order(order_id, reason)
    except VtexAmbiguousWriteError:
        pass  # the read-back below tells whether it happened
    except VtexApiError as exc:
        if exc.status is None or exc.status >= 500 or exc.status == 429:
            state.writeback_failed(ctx.account, order_id, CANCEL, "1", str(exc))
            raise
        refusal = exc
    status = oms.get_order(order_id).status
    if status in CANCELED:
        ctx.erp.set_order_status(order_id, "canceled", vtex_status=status)
        ctx.erp.mark_sync(TABLE, order_id, "confirmed", f"VTEX status {status}")
        state.writeback_done(ctx.account, order_id, CANCEL, "1", status)
        return Outcome.done(f"canceled in VTEX ({status})")
    message = f"VTEX refused the cancellation (order is {status})"
    if refusal is not None:
        message += f": {refusal}"
        state.writeback_failed(ctx.account, order_id, CANCEL, "1", message)
        ctx.erp.mark_sync(TABLE, order_id, "failed", message)
        log.warning("order %s: %s", order_id, message)
        return Outcome.failed(message)
    state.writeback_failed(ctx.account, order_id, CANCEL, "1", message)
    return Outcome.retry(f"cancel sent, VTEX still shows {status}")
