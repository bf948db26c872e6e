"""Sandbox-only order knobs: create orders, skip the clock, lose feed events, shopper requests."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from vtex_sandbox.errors import VtexError, bad_request
from vtex_sandbox.orders_book import open_book
from vtex_sandbox.orders_common import advance_clock, order_not_found
from vtex_sandbox.orders_sim import (
    OrderRequestError,
    create_orders,
    deny_cancellation,
    make_ready_now,
    request_cancellation,
)
from vtex_sandbox.routing import JsonBody

router = APIRouter(prefix="/_sandbox")

MAX_ORDERS_PER_CALL = 10_000


def _order_requests(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise bad_request("The request body must be an object")
    if "orders" in body:
        orders = body["orders"]
        if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
            raise bad_request("The field 'orders' must be a list of objects")
        for order in orders:
            items = order.get("items")
            if items is not None and (
                not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items)
            ):
                raise bad_request("Each item needs an 'id'")
        return orders
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_ORDERS_PER_CALL:
        raise bad_request(f"The field 'count' must be an integer from 0 to {MAX_ORDERS_PER_CALL}")
    return [{} for _ in range(count)]


@router.post("/orders")
def create(request: Request, body: JsonBody) -> dict[str, list[str]]:
    """``{"count": N}`` random orders or ``{"orders": [{"items": [...], "clientProfileData": {}}]}``."""
    requests = _order_requests(body)
    try:
        with open_book(request) as book:
            order_ids = create_orders(book, requests)
    except OrderRequestError as exc:
        raise bad_request(str(exc)) from exc
    return {"orderIds": order_ids}


@router.post("/orders/ready")
def ready_now(request: Request) -> dict[str, int]:
    """Move every order still waiting for the clock to ready-for-handling now."""
    with open_book(request) as book:
        return {"ready": make_ready_now(book)}


@router.post("/orders/clock/advance")
def clock_advance(request: Request, body: JsonBody) -> dict[str, float]:
    """Shift the order clock forward by ``{"seconds": N}`` (timers and feed retention follow)."""
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise bad_request("The field 'seconds' must be a non-negative number")
    store = request.app.state.store
    with store.transaction():
        offset = advance_clock(store, float(seconds))
    with open_book(request):
        pass  # fire whatever came due
    return {"offsetSeconds": offset}


@router.post("/feed/drop")
def drop_feed(request: Request) -> dict[str, int]:
    """Lose every queued feed message, as if VTEX never delivered them."""
    with open_book(request) as book:
        return {"dropped": book.feed.drop_all()}


@router.post("/orders/{order_id}/cancellation-request")
def shopper_cancellation_request(request: Request, order_id: str) -> dict[str, str]:
    with open_book(request) as book:
        order = book.get(order_id)
        if order is None:
            raise order_not_found(order_id)
        if not request_cancellation(book, order, "Shopper asked to cancel"):
            message = f"Order {order_id} in status {order['status']} cannot get a cancellation request"
            raise VtexError(409, message)
        return {"orderId": order["orderId"], "status": order["status"]}


@router.post("/orders/{order_id}/deny-cancellation")
def seller_denies_cancellation(request: Request, order_id: str) -> dict[str, str]:
    with open_book(request) as book:
        order = book.get(order_id)
        if order is None:
            raise order_not_found(order_id)
        if not deny_cancellation(book, order):
            raise VtexError(409, f"Order {order_id} has no pending cancellation request")
        return {"orderId": order["orderId"], "status": order["status"]}
