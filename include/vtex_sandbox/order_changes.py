"""Order changes (order-system API): add or remove items, applied asynchronously.

A change is checked when requested (CHK0201 order, CHK0124 state, CHK0022 item, CHK0023
quantity), stored as ``pending`` and applied ``CHANGE_DELAY`` seconds later on the next
request; if the order no longer allows it then, it is ``failed`` and can be retried.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response

from vtex_sandbox.orders_book import OrderBook, open_book, timer_action
from vtex_sandbox.orders_common import CHANGEABLE_STATUSES, iso, oms_error
from vtex_sandbox.orders_sim import order_item, order_totals
from vtex_sandbox.orders_stock import StockBook
from vtex_sandbox.routing import JsonBody


class ChangeStatus(StrEnum):
    """The order-change workflow statuses orders.json documents (Get order modifications details)."""

    WAITING_ACKNOWLEDGEMENT = "waiting-acknowledgement"
    WAITING_CONFIRMATION = "waiting-confirmation"
    DONE = "done"
    CANCELED = "canceled"


router = APIRouter(prefix="/api/order-system/orders")

CHANGE_KIND = "order_changes"
CHANGE_DELAY = 0.3  # seconds before a requested change is applied
PUBLIC_FIELDS = (
    "requestId", "workflowId", "orderId", "status", "inProgress", "reason", "manualDiscountValue",
    "manualIncrementValue", "totalChangeValue", "totals", "add", "remove", "replace", "date", "error",
)


class ChangeError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _items(body: dict[str, Any], part: str) -> list[tuple[str, int]]:
    block = body.get(part) or {}
    raw = block.get("items") or [] if isinstance(block, dict) else None
    if raw is None or not isinstance(raw, list):
        raise ChangeError("CHK0022", f"Invalid {part} block")
    lines = []
    for entry in raw:
        if not isinstance(entry, dict) or entry.get("id") in (None, ""):
            raise ChangeError("CHK0022", "Invalid id for item.")
        quantity = entry.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ChangeError("CHK0023", "Invalid quantity for item.")
        lines.append((str(entry["id"]), quantity))
    return lines


def _check(order: dict[str, Any], add: list, remove: list, stock: StockBook) -> int:
    """Raise ``ChangeError`` if the change cannot apply to ``order`` now; return its value change."""
    if order["status"] not in CHANGEABLE_STATUSES:
        raise ChangeError("CHK0124", "Invalid change for order.")
    if not add and not remove:
        raise ChangeError("CHK0022", "Invalid id for item.")
    in_order: dict[str, dict[str, int]] = {}
    for item in order["items"]:
        entry = in_order.setdefault(item["id"], {"quantity": 0, "price": item["price"]})
        entry["quantity"] += item["quantity"]
    delta = 0
    for sku_id, quantity in remove:
        if sku_id not in in_order:
            raise ChangeError("CHK0022", "Invalid id for item.")
        if quantity > in_order[sku_id]["quantity"]:
            raise ChangeError("CHK0023", "Invalid quantity for item.")
        delta -= quantity * in_order[sku_id]["price"]
    for sku_id, quantity in add:
        if sku_id in in_order:
            delta += quantity * in_order[sku_id]["price"]
        elif sku_id in stock.skus:
            delta += quantity * stock.skus[sku_id].price
        else:
            raise ChangeError("CHK0022", "Invalid id for item.")
    if order["value"] + delta <= 0:
        raise ChangeError("CHK0034", "The value of the change exceed the order's price.")
    return delta


def _apply(book: OrderBook, order: dict[str, Any], change: dict[str, Any]) -> None:
    add = [(i["id"], i["quantity"]) for i in (change["add"] or {}).get("items", [])]
    remove = [(i["id"], i["quantity"]) for i in (change["remove"] or {}).get("items", [])]
    stock = StockBook(book.store)
    _check(order, add, remove, stock)
    items, logistics = order["items"], order["shippingData"]["logisticsInfo"]
    for sku_id, quantity in remove:
        for item in items:
            take = min(quantity, item["quantity"])
            if item["id"] == sku_id and take:
                item["quantity"] -= take
                quantity -= take
    for sku_id, quantity in add:
        existing = next((i for i in items if i["id"] == sku_id), None)
        if existing is not None:
            existing["quantity"] += quantity
        else:
            items.append(order_item(stock.skus[sku_id], quantity))
            template = logistics[0] if logistics else {}
            logistics.append({**template, "itemIndex": len(items) - 1, "price": 0, "listPrice": 0,
                              "sellingPrice": 0})
    kept = [i for i, item in enumerate(items) if item["quantity"] > 0]
    order["items"] = [items[i] for i in kept]
    order["shippingData"]["logisticsInfo"] = [{**logistics[i], "itemIndex": n} for n, i in enumerate(kept)]
    shipping = sum(info["price"] for info in order["shippingData"]["logisticsInfo"])
    order["totals"] = order_totals(order["items"], shipping)
    order["value"] = sum(t["value"] for t in order["totals"])
    attachment = order.get("changesAttachment") or {"id": "changeAttachment", "changesData": []}
    attachment["changesData"].append({
        "reason": change["reason"], "discountValue": 0, "incrementValue": 0,
        "itemsAdded": (change["add"] or {}).get("items", []),
        "itemsRemoved": (change["remove"] or {}).get("items", []),
        "receipt": {"date": iso(book.now), "orderId": order["orderId"], "receipt": change["requestId"]},
    })
    order["changesAttachment"] = attachment
    book.save(order)


@timer_action("apply-change")
def _apply_change(book: OrderBook, timer: dict[str, Any]) -> None:
    change = book.store.get(CHANGE_KIND, timer["requestId"])
    if change is None or change["status"] != ChangeStatus.WAITING_ACKNOWLEDGEMENT or change.get("error"):
        return
    order = book.get(change["orderId"])
    try:
        if order is None:
            raise ChangeError("CHK0201", f"Order {change['orderId']} not found.")
        _apply(book, order, change)
        change.update(status=ChangeStatus.DONE, inProgress=False, error=None)
    except ChangeError as exc:
        # No "failed" status is documented: the change stays short of done, with its error.
        error = {"code": exc.code, "message": str(exc)}
        change.update(status=ChangeStatus.WAITING_CONFIRMATION, inProgress=False, error=error)
    book.store.put(CHANGE_KIND, change["requestId"], change)


def _public(change: dict[str, Any]) -> dict[str, Any]:
    return {field: change.get(field) for field in PUBLIC_FIELDS}


def _plan(book: OrderBook, order_id: str, body: Any) -> dict[str, Any]:
    """Check a change request against the order; the would-be change record."""
    order = book.get(order_id)
    if order is None:
        raise oms_error(404, "CHK0201", f"Order {order_id} not found.")
    if not isinstance(body, dict) or not str(body.get("reason") or "").strip():
        raise oms_error(400, "CHK0022", "The field 'reason' is required")
    try:
        add, remove = _items(body, "add"), _items(body, "remove")
        delta = _check(order, add, remove, StockBook(book.store))
    except ChangeError as exc:
        raise oms_error(400, exc.code, str(exc)) from exc
    return {
        "requestId": str(uuid.uuid4()), "workflowId": str(uuid.uuid4()), "orderId": order["orderId"],
        "status": ChangeStatus.WAITING_ACKNOWLEDGEMENT, "inProgress": True, "reason": body["reason"],
        "manualDiscountValue": 0, "manualIncrementValue": 0, "totalChangeValue": delta,
        "totals": [{"id": "Items", "name": "Items Total", "value": delta}],
        "add": {"items": [{"id": i, "quantity": q} for i, q in add]} if add else None,
        "remove": {"items": [{"id": i, "quantity": q} for i, q in remove]} if remove else None,
        "replace": None, "date": iso(book.now), "error": None,
    }


def _change(book: OrderBook, order_id: str, request_id: str) -> dict[str, Any]:
    change = book.store.get(CHANGE_KIND, request_id)
    order = book.get(order_id)
    if change is None or order is None or change["orderId"] != order["orderId"]:
        raise oms_error(404, "CHK0289", f"Change order request {request_id} not found.")
    return change


@router.patch("/{order_id}/changes", status_code=202)
def request_change(request: Request, order_id: str, body: JsonBody) -> dict[str, Any]:
    with open_book(request) as book:
        change = _plan(book, order_id, body)
        book.store.put(CHANGE_KIND, change["requestId"], change)
        book.schedule(f"change:{change['requestId']}", "apply-change", book.now + CHANGE_DELAY,
                      requestId=change["requestId"])
        return _public(change)


@router.post("/{order_id}/changes/preview")
def preview_change(request: Request, order_id: str, body: JsonBody) -> dict[str, Any]:
    with open_book(request) as book:
        change = _plan(book, order_id, body)
        return {**_public(change), "inProgress": False}


@router.get("/{order_id}/changes")
def list_changes(request: Request, order_id: str) -> dict[str, Any]:
    with open_book(request) as book:
        order = book.get(order_id)
        if order is None:
            raise oms_error(404, "CHK0201", f"Order {order_id} not found.")
        return {"requests": [_public(c) for c in book.store.find(CHANGE_KIND, orderId=order["orderId"])]}


@router.get("/{order_id}/changes/{request_id}")
def get_change(request: Request, order_id: str, request_id: str) -> dict[str, Any]:
    with open_book(request) as book:
        return _public(_change(book, order_id, request_id))


@router.post("/{order_id}/changes/{request_id}/retry", status_code=204)
def retry_change(request: Request, order_id: str, request_id: str) -> Response:
    """Re-run a failed change; a done or pending one is left alone (never applied twice)."""
    with open_book(request) as book:
        change = _change(book, order_id, request_id)
        if change.get("error") and change["status"] != ChangeStatus.CANCELED:
            change.update(status=ChangeStatus.WAITING_ACKNOWLEDGEMENT, inProgress=True, error=None)
            book.store.put(CHANGE_KIND, request_id, change)
            book.schedule(f"change:{request_id}", "apply-change", book.now, requestId=request_id)
            book.advance()
    return Response(status_code=204)


@router.post("/{order_id}/changes/{request_id}/cancel")
def cancel_change(request: Request, order_id: str, request_id: str, body: JsonBody) -> Response:
    if not isinstance(body, dict) or not str(body.get("reason") or "").strip():
        raise oms_error(400, "CHK0022", "The field 'reason' is required")
    with open_book(request) as book:
        change = _change(book, order_id, request_id)
        if change["status"] == ChangeStatus.DONE:
            raise oms_error(400, "CHK0124", "Invalid change for order.")
        change.update(status=ChangeStatus.CANCELED, inProgress=False, cancelReason=body["reason"])
        book.store.put(CHANGE_KIND, request_id, change)
        book.unschedule(f"change:{request_id}")
    return Response(status_code=200)
