"""Orders as the order-side routers see them: load, save, change status, run due timers.

``open_book(request)`` opens one store transaction, first fires every timer that has come due
(status clock, shopper cancellation requests, queued order changes), and saves the feed queue
and timers on the way out. Every status change goes through ``OrderBook.change_status`` so
each one reaches the feed exactly as VTEX would publish it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request

from vtex_sandbox import orders_hook
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.orders_common import STATUS_DESCRIPTIONS, iso, orders_rng, parse_iso, sandbox_now
from vtex_sandbox.orders_feed_queue import FeedQueue, status_event
from vtex_sandbox.store import Store

ORDER_KIND = "orders"
ROW_KIND = "order_rows"
TIMER_KIND = "order_timers"
MAIN = "main"

TimerAction = Callable[["OrderBook", dict[str, Any]], None]
TIMER_ACTIONS: dict[str, TimerAction] = {}


def timer_action(name: str) -> Callable[[TimerAction], TimerAction]:
    """Register what a timer named ``name`` does when it comes due."""

    def register(fn: TimerAction) -> TimerAction:
        TIMER_ACTIONS[name] = fn
        return fn

    return register


def summary_row(order: dict[str, Any]) -> dict[str, Any]:
    """The list-orders row of an order (plus ``creationTs`` for filtering, removed on output)."""
    profile = order.get("clientProfileData") or {}
    payments = [p for t in order["paymentData"]["transactions"] for p in t["payments"]]
    return {
        "orderId": order["orderId"],
        "creationDate": order["creationDate"],
        "clientName": f"{profile.get('firstName', '')} {profile.get('lastName', '')}".strip(),
        "items": None,
        "totalValue": order["value"],
        "paymentNames": ", ".join(p["paymentSystemName"] for p in payments),
        "status": order["status"],
        "statusDescription": order["statusDescription"],
        "marketPlaceOrderId": None,
        "sequence": order["sequence"],
        "salesChannel": order["salesChannel"],
        "affiliateId": order["affiliateId"],
        "origin": order["origin"],
        "workflowInErrorState": False,
        "workflowInRetry": False,
        "lastMessageUnread": None,
        "ShippingEstimatedDate": None,
        "ShippingEstimatedDateMax": None,
        "ShippingEstimatedDateMin": None,
        "orderIsComplete": order["isCompleted"],
        "listId": None,
        "listType": None,
        "authorizedDate": order.get("authorizedDate"),
        "callCenterOperatorName": None,
        "totalItems": sum(item["quantity"] for item in order["items"]),
        "currencyCode": order["storePreferencesData"]["currencyCode"],
        "invoicedDate": order.get("invoicedDate"),
        "creationTs": parse_iso(order["creationDate"]),
    }


class OrderBook:
    """Orders, feed and timers within one transaction (see ``open_book``)."""

    def __init__(self, store: Store, config: SandboxConfig, rng: random.Random, now: float) -> None:
        self.store = store
        self.config = config
        self.rng = rng
        self.now = now
        self.feed = FeedQueue(store)
        self._timers: dict[str, dict[str, Any]] | None = None

    # orders --------------------------------------------------------------------------------

    def get(self, order_id: str) -> dict[str, Any] | None:
        """An order by orderId, or by its ``sequence`` like VTEX allows."""
        order = self.store.get(ORDER_KIND, order_id)
        if order is None and order_id.isdigit():
            rows = self.store.find(ROW_KIND, sequence=order_id)
            order = self.store.get(ORDER_KIND, rows[0]["orderId"]) if rows else None
        return order

    def save(self, order: dict[str, Any]) -> None:
        self.store.put(ORDER_KIND, order["orderId"], order)
        self.store.put(ROW_KIND, order["orderId"], summary_row(order))

    def change_status(self, order: dict[str, Any], status: str, at: float | None = None) -> None:
        """Move ``order`` to ``status``, save it and publish the feed event."""
        at = self.now if at is None else at
        last_state, last_change = order["status"], parse_iso(order["lastChange"])
        at = max(at, last_change + 1e-6)  # currentChange always moves forward
        order["status"] = status
        order["statusDescription"] = STATUS_DESCRIPTIONS.get(status, status)
        order["lastChange"] = iso(at)
        self.save(order)
        event = status_event(order["orderId"], status, last_state, last_change, at)
        self.feed.publish(event, at, self.config.duplicate_feed_share, self.rng)
        orders_hook.publish(self, event, at)

    # timers --------------------------------------------------------------------------------

    @property
    def timers(self) -> dict[str, dict[str, Any]]:
        if self._timers is None:
            doc = self.store.get(TIMER_KIND, MAIN)
            self._timers = doc["timers"] if doc else {}
        return self._timers

    def schedule(self, key: str, action: str, due: float, **data: Any) -> None:
        self.timers[key] = {"action": action, "due": due, **data}

    def unschedule(self, key: str) -> None:
        self.timers.pop(key, None)

    def advance(self, until: float | None = None, only: str | None = None) -> int:
        """Fire timers due by ``until`` (default now) in due order; ``only`` limits the action."""
        until = self.now if until is None else until
        fired = 0
        while True:
            due = sorted(
                (t["due"], key) for key, t in self.timers.items()
                if t["due"] <= until and (only is None or t["action"] == only)
            )
            if not due:
                return fired
            for _due, key in due:
                timer = self.timers.pop(key, None)
                if timer is not None:
                    TIMER_ACTIONS[timer["action"]](self, timer)
                    fired += 1

    def close(self) -> None:
        self.feed.save()
        if self._timers is not None:
            self.store.put(TIMER_KIND, MAIN, {"timers": self._timers})


@contextmanager
def open_book(request: Request) -> Iterator[OrderBook]:
    """One transaction over the order side, with the clock brought up to date first."""
    state = request.app.state
    store: Store = state.store
    with store.transaction():
        book = OrderBook(store, state.config, orders_rng(request), sandbox_now(store))
        book.advance()
        yield book
        book.close()
