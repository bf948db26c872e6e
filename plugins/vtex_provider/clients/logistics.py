"""Logistics API client: docks, warehouses and inventory."""

from __future__ import annotations

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.models.logistics import (
    Dock,
    InventoryBalance,
    InventoryQuantityUpdate,
    InventoryUpdate,
    Warehouse,
)

CONFIG = "/api/logistics/pvt/configuration"
INVENTORY = "/api/logistics/pvt/inventory/skus"


class LogisticsClient(VtexClient):
    """Dock and warehouse POSTs upsert by client-chosen id, so they are safe to retry."""

    def upsert_dock(self, dock: Dock) -> None:
        self._call("POST", f"{CONFIG}/docks", json=dock.to_body(), idempotent=True)

    def get_dock(self, dock_id: str) -> Dock | None:
        body = self._json_or_none(f"{CONFIG}/docks/{seg(dock_id)}")
        return Dock.model_validate(body) if body else None

    def list_docks(self) -> list[Dock]:
        return Dock.parse_list(self._json("GET", f"{CONFIG}/docks"))

    def upsert_warehouse(self, warehouse: Warehouse) -> None:
        self._call("POST", f"{CONFIG}/warehouses", json=warehouse.to_body(), idempotent=True)

    def get_warehouse(self, warehouse_id: str) -> Warehouse | None:
        body = self._json_or_none(f"{CONFIG}/warehouses/{seg(warehouse_id)}")
        return Warehouse.model_validate(body) if body else None

    def list_warehouses(self) -> list[Warehouse]:
        return Warehouse.parse_list(self._json("GET", f"{CONFIG}/warehouses"))

    def put_inventory(self, sku_id: int | str, warehouse_id: str, inventory: InventoryUpdate) -> None:
        """Full update: quantity, unlimited flag and lead time are always sent (VTEX zeroes missing ones)."""
        path = f"{INVENTORY}/{seg(sku_id)}/warehouses/{seg(warehouse_id)}"
        self._call("PUT", path, json=inventory.to_body())

    def patch_inventory_quantity(
        self, sku_id: int | str, warehouse_id: str, update: InventoryQuantityUpdate
    ) -> None:
        path = f"{INVENTORY}/{seg(sku_id)}/warehouses/{seg(warehouse_id)}/quantity"
        self._call("PATCH", path, json=update.to_body(), idempotent=True)

    def get_inventory(self, sku_id: int | str) -> InventoryBalance | None:
        body = self._json_or_none(f"{INVENTORY}/{seg(sku_id)}")
        return InventoryBalance.model_validate(body) if body else None
