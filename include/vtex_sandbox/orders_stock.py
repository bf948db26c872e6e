"""What the simulator may sell: active SKUs with a price and free stock; stock reservations.

Reads the documents the catalog, pricing and logistics routers keep (``skus``, ``prices``,
``inventory``, ``sku_eans``). A reservation raises ``reservedQuantity`` on inventory documents
and is remembered per order (kind ``order_reservations``) so cancel or invoicing releases it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vtex_sandbox.orders_common import cents
from vtex_sandbox.store import Store

RESERVATION_KIND = "order_reservations"


def inventory_key(sku_id: Any, warehouse_id: Any) -> str:
    """Key of an inventory document (the logistics router's convention)."""
    return f"{sku_id}-{warehouse_id}"


def free_quantity(doc: dict[str, Any]) -> float:
    if doc.get("unlimitedQuantity"):
        return float("inf")
    return max(0, int(doc.get("quantity") or 0) - int(doc.get("reservedQuantity") or 0))


@dataclass
class SellableSku:
    sku: dict[str, Any]
    price: int  # cents
    list_price: int  # cents
    ean: str | None
    stock: list[dict[str, Any]]  # inventory documents

    @property
    def available(self) -> float:
        return sum(free_quantity(doc) for doc in self.stock)


class StockBook:
    """A snapshot of sellable SKUs, loaded once per request."""

    def __init__(self, store: Store) -> None:
        self.store = store
        prices = {str(p.get("itemId")): p for p in store.all("prices")}
        eans = {str(e.get("SkuId")): str(e.get("Ean")) for e in store.all("sku_eans")}
        stock: dict[str, list[dict[str, Any]]] = {}
        for doc in store.all("inventory"):
            stock.setdefault(str(doc.get("skuId")), []).append(doc)
        self.skus: dict[str, SellableSku] = {}
        self.reasons: dict[str, str] = {}
        for sku in store.all("skus"):
            sku_id = str(sku.get("Id"))
            price = prices.get(sku_id)
            if not sku.get("IsActive"):
                self.reasons[sku_id] = "is not active"
            elif price is None or price.get("basePrice") is None:
                self.reasons[sku_id] = "has no price"
            else:
                base = cents(price["basePrice"])
                listed = cents(price.get("listPrice") or price["basePrice"])
                self.skus[sku_id] = SellableSku(sku, base, listed, eans.get(sku_id), stock.get(sku_id, []))

    def why_not(self, sku_id: str, quantity: int) -> str | None:
        """None when ``quantity`` units of the SKU can be sold, else the reason."""
        if sku_id in self.reasons:
            return f"SKU {sku_id} {self.reasons[sku_id]}"
        if sku_id not in self.skus:
            return f"SKU {sku_id} not found"
        if quantity < 1:
            return f"Invalid quantity {quantity} for SKU {sku_id}"
        if self.skus[sku_id].available < quantity:
            return f"SKU {sku_id} has not enough stock"
        return None

    def in_stock(self) -> list[SellableSku]:
        return [s for s in self.skus.values() if s.available >= 1]

    def reserve(self, order_id: str, lines: list[tuple[str, int]]) -> list[dict[str, Any]]:
        """Reserve every line (greedy over warehouses); call ``why_not`` first."""
        reserved = []
        for sku_id, quantity in lines:
            left = quantity
            for doc in self.skus[sku_id].stock:
                take = min(left, free_quantity(doc))
                if take <= 0:
                    continue
                take = int(take)
                doc["reservedQuantity"] = int(doc.get("reservedQuantity") or 0) + take
                self.store.put("inventory", inventory_key(doc["skuId"], doc["warehouseId"]), doc)
                reserved.append({"skuId": sku_id, "warehouseId": doc["warehouseId"], "quantity": take})
                left -= take
                if left == 0:
                    break
        self.store.put(RESERVATION_KIND, order_id, {"orderId": order_id, "lines": reserved})
        return reserved


def release_reservation(store: Store, order_id: str, consumed: bool = False) -> None:
    """Give an order's reserved units back (cancel) or take them out of stock (``consumed``)."""
    reservation = store.get(RESERVATION_KIND, order_id)
    if reservation is None:
        return
    for line in reservation["lines"]:
        key = inventory_key(line["skuId"], line["warehouseId"])
        doc = store.get("inventory", key)
        if doc is not None:
            doc["reservedQuantity"] = max(0, int(doc.get("reservedQuantity") or 0) - line["quantity"])
            if consumed and not doc.get("unlimitedQuantity"):
                doc["quantity"] = max(0, int(doc.get("quantity") or 0) - line["quantity"])
            store.put("inventory", key, doc)
    store.delete(RESERVATION_KIND, order_id)


def warehouse_of(reservation: list[dict[str, Any]], sku_id: str) -> str | None:
    return next((line["warehouseId"] for line in reservation if line["skuId"] == sku_id), None)
