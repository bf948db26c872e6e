"""Put a VTEX order into the ERP exactly once, then start handling it exactly once."""

from __future__ import annotations

import logging
from typing import Any

from vtex_provider.models.oms import Order
from vtex_sync.orders.mapping import UnknownSkuError, order_rows
from vtex_sync.orders.outcome import Outcome
from vtex_sync.orders.statuses import CANCELED, HANDED_OVER, READY

log = logging.getLogger(__name__)

SKU_ENTITY = "sku"
ORDER_ENTITY = "order"
START_HANDLING = "start_handling"


def write_to_erp(ctx: Any, order: Order) -> Outcome | None:
    """Write `order` into the ERP if it is not there yet. None on success, else why not.

    An order naming a SKU the id map does not know is held in quarantine (retried later).
    """
    if ctx.erp.get_sales_order(order.order_id) is not None:
        return None

    def sku_ref_for(vtex_sku_id: str) -> str | None:
        return ctx.state.erp_key_for(ctx.account, SKU_ENTITY, vtex_sku_id)

    try:
        header, lines, customer = order_rows(order, sku_ref_for)
    except UnknownSkuError as exc:
        ctx.state.quarantine(ctx.account, ORDER_ENTITY, order.order_id, field="items.id",
                             value=",".join(exc.sku_ids), rule="sku_not_in_id_map", message=str(exc))
        log.warning("order %s quarantined: %s", order.order_id, exc)
        return Outcome("quarantined", str(exc))
    if ctx.dry_run:
        return Outcome.skipped("dry run: would write the order to the ERP")
    ctx.erp.upsert_sales_order(header, lines, customer)
    ctx.state.resolve_quarantine(ctx.account, ORDER_ENTITY, order.order_id)
    return None


def start_handling(ctx: Any, order_id: str) -> Outcome:
    """Call start-handling once per order; 409 OMS003 on an order already past it is success."""
    oms = ctx.clients.oms
    if ctx.dry_run:
        return Outcome.skipped("dry run: would start handling")
    if not ctx.state.writeback_begin(ctx.account, order_id, START_HANDLING, "1"):
        return Outcome.done("handling already started")
    try:
        moved = oms.start_handling(order_id)
    except Exception as exc:
        ctx.state.writeback_failed(ctx.account, order_id, START_HANDLING, "1", str(exc))
        raise
    if not moved:
        status = oms.get_order(order_id).status
        if status == READY:
            ctx.state.writeback_failed(ctx.account, order_id, START_HANDLING, "1", "409 while ready")
            return Outcome.retry("start-handling refused while the order is ready-for-handling")
    ctx.state.writeback_done(ctx.account, order_id, START_HANDLING, "1")
    ctx.erp.set_order_status(order_id, ctx.erp.get_sales_order(order_id)["status"], vtex_status="handling")
    return Outcome.done("in ERP, handling started" if moved else "in ERP, handling had already started")


def ingest_order(ctx: Any, order_id: str, order: Order | None = None) -> Outcome:
    """Read the order, write it to the ERP once and, if it is ready-for-handling, start handling."""
    order = order or ctx.clients.oms.get_order(order_id)
    if order.status not in HANDED_OVER:
        if order.status in CANCELED and ctx.erp.get_sales_order(order_id) is not None:
            return mark_canceled(ctx, order_id, order.status)
        return Outcome.skipped(f"order is {order.status}: nothing for the ERP")
    problem = write_to_erp(ctx, order)
    if problem is not None:
        return problem
    if order.status != READY:
        return Outcome.done(f"in ERP (VTEX status {order.status})")
    return start_handling(ctx, order_id)


def mark_canceled(ctx: Any, order_id: str, vtex_status: str = "canceled") -> Outcome:
    """VTEX canceled the order: the ERP order (if any) is canceled too."""
    if ctx.erp.get_sales_order(order_id) is None:
        return Outcome.skipped("canceled before reaching the ERP")
    if not ctx.dry_run:
        ctx.erp.set_order_status(order_id, "canceled", vtex_status=vtex_status)
    return Outcome.done("ERP order canceled")


def follow_status(ctx: Any, order_id: str, vtex_status: str) -> Outcome:
    """Record VTEX's status on the ERP order without changing the ERP's own status."""
    row = ctx.erp.get_sales_order(order_id)
    if row is None:
        return Outcome.skipped(f"{vtex_status}: order not in the ERP")
    if not ctx.dry_run:
        ctx.erp.set_order_status(order_id, row["status"], vtex_status=vtex_status)
    return Outcome.done(f"VTEX status {vtex_status} recorded")
