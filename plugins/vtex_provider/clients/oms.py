"""OMS client: orders feed v3, orders, handling, invoices, tracking, cancellation, changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.exceptions import VtexConflictError
from vtex_provider.models.oms import (
    ChangeRequest,
    ChangeResult,
    FeedConfig,
    FeedItem,
    Invoice,
    Order,
    OrderList,
    OrderSummary,
    Receipt,
    TrackingEvents,
    TrackingUpdate,
)

FEED = "/api/orders/feed"
ORDERS = "/api/oms/pvt/orders"
CHANGES = "/api/order-system/orders"
MAX_LIST_PAGES = 30
COMMIT_CHUNK = 10
NOT_READY_FOR_HANDLING = "OMS003"


class OmsClient(VtexClient):
    """One method per OMS call the back office uses."""

    # -- feed v3 ----------------------------------------------------------------------------

    def get_feed_config(self) -> FeedConfig | None:
        body = self._json_or_none(f"{FEED}/config")
        return FeedConfig.model_validate(body) if body else None

    def set_feed_config(self, config: FeedConfig) -> None:
        """Create or replace the feed configuration of this app key."""
        self._call("POST", f"{FEED}/config", json=config.to_body(), idempotent=True)

    def delete_feed_config(self) -> None:
        self._call("DELETE", f"{FEED}/config")

    def get_feed(self, maxlot: int = 10) -> list[FeedItem]:
        """Read up to `maxlot` (1-10) visible events; they stay invisible until committed or timed out."""
        body = self._json("GET", FEED, params={"maxlot": max(1, min(maxlot, 10))})
        return FeedItem.parse_list(body)

    def commit_feed(self, handles: list[str]) -> int:
        """Commit handles in chunks of 10; returns how many were committed."""
        for start in range(0, len(handles), COMMIT_CHUNK):
            chunk = handles[start : start + COMMIT_CHUNK]
            self._call("POST", FEED, json={"handles": chunk}, idempotent=True)
        return len(handles)

    # -- orders -----------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order:
        return Order.model_validate(self._json("GET", f"{ORDERS}/{seg(order_id)}"))

    def list_orders(
        self,
        status: str | None = None,
        created_from: str | None = None,
        created_to: str | None = None,
        page: int = 1,
        per_page: int = 100,
        order_by: str = "creationDate,asc",
    ) -> OrderList:
        """One page of the (indexed, slightly delayed) order list. Dates are ISO 8601 UTC."""
        params: dict[str, Any] = {"page": page, "per_page": per_page, "orderBy": order_by}
        if status:
            params["f_status"] = status
        if created_from or created_to:
            low = created_from or "*"
            high = created_to or "*"
            params["f_creationDate"] = f"creationDate:[{low} TO {high}]"
        return OrderList.model_validate(self._json("GET", ORDERS, params=params) or {})

    def iter_orders(
        self,
        status: str | None = None,
        created_from: str | None = None,
        created_to: str | None = None,
        per_page: int = 100,
        order_by: str = "creationDate,asc",
    ) -> Iterator[OrderSummary]:
        """Every order of the window, page by page, stopping at VTEX's 30-page cap.

        Narrow the date window when `OrderList.paging.pages` exceeds 30.
        """
        page = 1
        while page <= MAX_LIST_PAGES:
            result = self.list_orders(status, created_from, created_to, page, per_page, order_by)
            yield from result.orders
            if not result.orders or page >= result.paging.pages:
                return
            page += 1

    def start_handling(self, order_id: str) -> bool:
        """Move a ready-for-handling order to handling.

        Returns False when VTEX answers 409 OMS003 (the order is not in ready-for-handling,
        e.g. already handled); the caller decides whether that is success.
        """
        try:
            self._call("POST", f"{ORDERS}/{seg(order_id)}/start-handling", idempotent=True)
        except VtexConflictError as exc:
            if exc.code == NOT_READY_FOR_HANDLING:
                return False
            raise
        return True

    def invoice(self, order_id: str, invoice: Invoice) -> Receipt:
        """Send an invoice; posting the same invoice number again updates it, so it is retried."""
        path = f"{ORDERS}/{seg(order_id)}/invoice"
        return Receipt.model_validate(self._json("POST", path, json=invoice.to_body(), idempotent=True) or {})

    def update_invoice_tracking(
        self, order_id: str, invoice_number: str, tracking: TrackingUpdate
    ) -> Receipt:
        path = f"{ORDERS}/{seg(order_id)}/invoice/{seg(invoice_number)}"
        return Receipt.model_validate(
            self._json("PATCH", path, json=tracking.to_body(), idempotent=True) or {}
        )

    def put_tracking_events(self, order_id: str, invoice_number: str, events: TrackingEvents) -> Receipt:
        path = f"{ORDERS}/{seg(order_id)}/invoice/{seg(invoice_number)}/tracking"
        return Receipt.model_validate(self._json("PUT", path, json=events.to_body()) or {})

    def cancel_order(self, order_id: str, reason: str) -> Receipt:
        """Cancel (irreversible). Not retried on 5xx: read the order back to learn the outcome."""
        path = f"{ORDERS}/{seg(order_id)}/cancel"
        return Receipt.model_validate(
            self._json("POST", path, json={"reason": reason}, idempotent=False) or {}
        )

    # -- order changes ----------------------------------------------------------------------

    def _changes(self, order_id: str) -> str:
        return f"{CHANGES}/{seg(order_id)}/changes"

    def create_change(self, order_id: str, change: ChangeRequest) -> ChangeResult:
        """Request an asynchronous change (202). Not idempotent: use `retry_change` to re-run one."""
        body = self._json(
            "PATCH",
            self._changes(order_id),
            json=change.to_body(),
            params={"accountName": self.hook.account},
            idempotent=False,
        )
        return ChangeResult.model_validate(body or {})

    def preview_change(self, order_id: str, change: ChangeRequest) -> ChangeResult:
        path = f"{self._changes(order_id)}/preview"
        payload = {"replace": []} | change.to_body()  # VTEX's preview schema requires `replace`
        body = self._json("POST", path, json=payload, params=self._an(), idempotent=True)
        return ChangeResult.model_validate(body or {})

    def list_changes(self, order_id: str) -> list[ChangeResult]:
        body = self._json("GET", self._changes(order_id), params=self._an())
        items = body.get("requests", []) if isinstance(body, dict) else body
        return ChangeResult.parse_list(items)

    def get_change(self, order_id: str, change_id: str) -> ChangeResult | None:
        body = self._json_or_none(f"{self._changes(order_id)}/{seg(change_id)}", params=self._an())
        return ChangeResult.model_validate(body) if body else None

    def retry_change(self, order_id: str, change_id: str) -> None:
        """Re-run a failed change; VTEX does not duplicate it."""
        self._call(
            "POST", f"{self._changes(order_id)}/{seg(change_id)}/retry", params=self._an(), idempotent=True
        )

    def cancel_change(self, order_id: str, change_id: str, reason: str) -> None:
        path = f"{self._changes(order_id)}/{seg(change_id)}/cancel"
        self._call("POST", path, json={"reason": reason}, params=self._an(), idempotent=True)

    def _an(self) -> dict[str, str]:
        return {"an": self.hook.account}
