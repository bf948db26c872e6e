"""ERP -> VTEX for orders: invoices, tracking, order changes and ERP-side cancellations.

Each write-back runs under the order's lock, is recorded in the state store's write-back log
(so a success is never sent again), re-uses the same invoice number / change request on a
retry, is followed by reading the order back, and ends with its outcome on the ERP row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, cast

from vtex_provider.exceptions import VtexAmbiguousWriteError, VtexApiError
from vtex_provider.models.oms import (
    ChangeItem,
    ChangeItems,
    ChangeRequest,
    Invoice,
    InvoiceItem,
    TrackingEvent,
    TrackingEvents,
    TrackingUpdate,
)
from vtex_sync.orders.outcome import Outcome
from vtex_sync.orders.statuses import IN_PROGRESS, ChangeStatus

log = logging.getLogger(__name__)

Row = Mapping[str, Any]


class MissingSkuBindingError(LookupError):
    """An ERP SKU ref on a write-back is not bound to a VTEX SKU."""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _vtex_sku(ctx: Any, sku_ref_id: str) -> str:
    binding = ctx.state.get_binding(ctx.account, "sku", str(sku_ref_id))
    if binding is None or binding.vtex_id is None:
        raise MissingSkuBindingError(f"SKU ref {sku_ref_id} is not bound to a VTEX SKU")
    return str(binding.vtex_id)


def is_final_refusal(exc: VtexApiError) -> bool:
    """A 4xx other than 429: VTEX will give the same answer again, so do not retry."""
    return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429


def _call_failed(ctx: Any, table: str, key: Any, action: tuple[str, str, str], exc: Exception) -> Outcome:
    """Record a failed VTEX call: final for a refusal, otherwise left pending for the next run."""
    order_id, name, wb_key = action
    message = str(exc)
    ctx.state.writeback_failed(ctx.account, order_id, name, wb_key, message)
    if isinstance(exc, VtexApiError) and is_final_refusal(exc):
        ctx.erp.mark_sync(table, key, "failed", message)
        log.warning("order %s: %s refused: %s", order_id, name, message)
        return Outcome.failed(message)
    ctx.erp.mark_sync(table, key, "pending", f"will retry: {message}")
    return Outcome.retry(message)


# -- invoices ----------------------------------------------------------------------------------


def invoice_body(ctx: Any, row: Row) -> Invoice:
    return Invoice(
        type=row.get("type") or "Output",
        issuance_date=cast(str, _iso(row["issued_at"])),  # a missing date fails validation
        invoice_number=str(row["invoice_number"]),
        invoice_value=int(row["value_cents"]),
        items=[InvoiceItem(id=_vtex_sku(ctx, item["sku_ref_id"]), price=int(item["unit_price_cents"]),
                           quantity=int(item["quantity"])) for item in row["items"]],
        invoice_key=row.get("invoice_key"),
        invoice_url=row.get("invoice_url"),
        courier=row.get("courier"),
        tracking_number=row.get("tracking_number"),
        tracking_url=row.get("tracking_url"),
    )


def send_invoice(ctx: Any, row: Row) -> Outcome:
    """Send one invoice (Output or Input) under its own number; confirm it on the order."""
    order_id, number = row["vtex_order_id"], str(row["invoice_number"])
    key = (order_id, number)
    action = "invoice" if (row.get("type") or "Output") == "Output" else "return_invoice"
    try:
        body = invoice_body(ctx, row)
    except MissingSkuBindingError as exc:
        ctx.erp.mark_sync("invoices", key, "failed", str(exc))
        return Outcome.failed(str(exc))
    if ctx.state.writeback_status(ctx.account, order_id, action, number) != "succeeded":
        ctx.state.writeback_begin(ctx.account, order_id, action, number)
        try:
            ctx.clients.oms.invoice(order_id, body)
        except VtexApiError as exc:
            return _call_failed(ctx, "invoices", key, (order_id, action, number), exc)
    order = ctx.clients.oms.get_order(order_id)
    packages = order.package_attachment.packages if order.package_attachment else []
    if not any(p.invoice_number == number for p in packages):
        message = f"invoice {number} not on the order after sending"
        ctx.state.writeback_failed(ctx.account, order_id, action, number, message)
        ctx.erp.mark_sync("invoices", key, "pending", message)
        return Outcome.retry(message)
    ctx.state.writeback_done(ctx.account, order_id, action, number, order.status)
    if action == "invoice":
        erp_status = "invoiced" if order.status in ("invoice", "invoiced") else "partially_invoiced"
        ctx.erp.set_order_status(order_id, erp_status, vtex_status=order.status)
    ctx.erp.mark_sync("invoices", key, "confirmed", f"VTEX status {order.status}")
    return Outcome.done(order.status)


# -- tracking ----------------------------------------------------------------------------------


def _delivered_date(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else None


def send_shipment(ctx: Any, row: Row) -> Outcome:
    """Tracking number on the invoice, then the carrier's events (and delivery) if any."""
    order_id, number = row["vtex_order_id"], str(row["invoice_number"])
    key = (order_id, number)
    events = row.get("events") or []
    wb_key = f"{number}:{len(events)}:{bool(row.get('delivered'))}"
    oms = ctx.clients.oms
    if ctx.state.writeback_status(ctx.account, order_id, "tracking", wb_key) != "succeeded":
        ctx.state.writeback_begin(ctx.account, order_id, "tracking", wb_key)
        try:
            if row.get("tracking_number"):
                oms.update_invoice_tracking(order_id, number, TrackingUpdate(
                    tracking_number=row["tracking_number"], tracking_url=row.get("tracking_url"),
                    dispatched_date=_iso(row.get("dispatched_at")), courier=row.get("carrier")))
            if events or row.get("delivered"):
                oms.put_tracking_events(order_id, number, TrackingEvents(
                    is_delivered=bool(row.get("delivered")),
                    delivered_date=_delivered_date(row.get("delivered_at")),
                    events=[TrackingEvent(city=e.get("city"), state=e.get("state"),
                                          description=e["description"], date=cast(str, _iso(e["event_at"])))
                            for e in events]))
        except VtexApiError as exc:
            return _call_failed(ctx, "shipments", key, (order_id, "tracking", wb_key), exc)
    order = oms.get_order(order_id)
    packages = order.package_attachment.packages if order.package_attachment else []
    package = next((p for p in packages if p.invoice_number == number), None)
    if package is None or (row.get("tracking_number") and package.tracking_number != row["tracking_number"]):
        message = f"tracking of invoice {number} not on the order after sending"
        ctx.state.writeback_failed(ctx.account, order_id, "tracking", wb_key, message)
        ctx.erp.mark_sync("shipments", key, "pending", message)
        return Outcome.retry(message)
    ctx.state.writeback_done(ctx.account, order_id, "tracking", wb_key)
    ctx.erp.set_order_status(order_id, "delivered" if row.get("delivered") else "shipped",
                             vtex_status=order.status)
    ctx.erp.mark_sync("shipments", key, "confirmed", "delivered" if row.get("delivered") else "in transit")
    return Outcome.done("tracking sent")


# -- order changes -----------------------------------------------------------------------------


def change_tag(change_code: str) -> str:
    """Marks the change request's reason so a lost answer can be found again."""
    return f"[erp:{change_code}]"


def change_body(ctx: Any, row: Row) -> ChangeRequest:
    add: list[ChangeItem] = []
    remove: list[ChangeItem] = []
    for item in row["items"]:
        change = ChangeItem(id=_vtex_sku(ctx, item["sku_ref_id"]), quantity=int(item["quantity"]))
        (add if item.get("op") == "add" else remove).append(change)
    return ChangeRequest(reason=f"{row['reason']} {change_tag(row['change_code'])}",
                         add=ChangeItems(items=add) if add else None,
                         remove=ChangeItems(items=remove) if remove else None)


def _find_change(ctx: Any, order_id: str, change_code: str) -> str | None:
    tag = change_tag(change_code)
    for change in ctx.clients.oms.list_changes(order_id):
        if change.reason and tag in change.reason and change.status != "canceled":
            return change.request_id
    return None


def send_change(ctx: Any, row: Row) -> Outcome:
    """Create the change once (found again by its tag after a lost answer); retry it, never resend.

    The ERP row stays ``pending`` (with its VTEX change id) until VTEX has applied the change.
    """
    order_id, code = row["vtex_order_id"], row["change_code"]
    oms = ctx.clients.oms
    change_id = row.get("vtex_change_id") or _find_change(ctx, order_id, code)
    if change_id is None:
        try:
            body = change_body(ctx, row)
        except MissingSkuBindingError as exc:
            ctx.erp.mark_sync("order_changes", code, "failed", str(exc))
            return Outcome.failed(str(exc))
        ctx.state.writeback_begin(ctx.account, order_id, "change", code)
        try:
            change_id = oms.create_change(order_id, body).request_id
        except VtexAmbiguousWriteError:
            change_id = _find_change(ctx, order_id, code)
            if change_id is None:
                return _call_failed(ctx, "order_changes", code, (order_id, "change", code),
                                    RuntimeError("change request answer lost and not found"))
        except VtexApiError as exc:
            return _call_failed(ctx, "order_changes", code, (order_id, "change", code), exc)
        ctx.erp.mark_sync("order_changes", code, "pending", "change requested", vtex_change_id=change_id)
    change = oms.get_change(order_id, change_id)
    status = change.status if change else None
    if status == ChangeStatus.DONE:
        ctx.state.writeback_done(ctx.account, order_id, "change", code, change_id)
        order = oms.get_order(order_id)
        ctx.erp.mark_sync("order_changes", code, "confirmed", f"applied; order value {order.value}",
                          vtex_change_id=change_id)
        return Outcome.done("change applied")
    if status in IN_PROGRESS:
        ctx.erp.mark_sync("order_changes", code, "pending", f"in progress ({status})",
                          vtex_change_id=change_id)
        return Outcome.retry("change in progress")
    if status == ChangeStatus.CANCELED or change is None:
        message = f"change {change_id} is {status or 'unknown to VTEX'}"
        ctx.state.writeback_failed(ctx.account, order_id, "change", code, message)
        ctx.erp.mark_sync("order_changes", code, "failed", message, vtex_change_id=change_id)
        return Outcome.failed(message)
    # not a status VTEX documents: a stopped change (inProgress false) is re-run, never re-sent
    if change.in_progress is False:
        oms.retry_change(order_id, change_id)
        message = f"change stopped in VTEX ({status}), retried"
    else:
        message = f"change in an undocumented VTEX status ({status})"
    log.warning("order %s: %s", order_id, message)
    ctx.erp.mark_sync("order_changes", code, "pending", message, vtex_change_id=change_id)
    return Outcome.retry(message)
