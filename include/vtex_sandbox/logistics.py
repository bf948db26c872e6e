"""The Logistics API: docks, warehouses and inventory per (SKU, warehouse).

``available_quantity`` and ``reserve`` let the order simulator take stock like checkout does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from vtex_sandbox.catalog_common import get_or_404
from vtex_sandbox.errors import VtexError, bad_request, not_found, unknown_reference
from vtex_sandbox.faults import applied_but_failed, case_sensitive_warehouses, fires
from vtex_sandbox.routing import StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["logistics"])
UNLIMITED_QUANTITY = 1_000_000
ZERO_LEAD_TIME = "00:00:00"


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class DockIn(Body):
    id: str
    name: str
    priority: int | None = 0
    dockTimeFake: str | None = None
    timeFakeOverhead: str | None = None
    salesChannels: list[str] | None = None
    salesChannel: str | None = None
    freightTableIds: list[str] | None = None
    wmsEndPoint: str | None = None
    address: dict[str, Any] | None = None


class WarehouseDockIn(Body):
    dockId: str
    name: str | None = None
    time: str | None = None
    cost: str | float | None = None
    translateDays: str | None = None
    costToDisplay: str | None = None


class WarehouseIn(Body):
    id: str
    name: str
    warehouseDocks: list[WarehouseDockIn]
    priority: int | None = 0
    isActive: bool | None = True
    pickupPointIds: list[str] | None = None


class InventoryIn(BaseModel):
    """Omitted or null fields count as zero/false, as VTEX does."""

    model_config = ConfigDict(extra="ignore")
    quantity: int | None = None
    unlimitedQuantity: bool | None = None
    leadTime: str | None = None
    dateUtcOnBalanceSystem: str | None = None


class QuantityIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quantity: int | None = None
    unlimitedQuantity: bool | None = None
    dateUtcOnBalanceSystem: str | None = None


# --- docks and warehouses --------------------------------------------------------------


@router.post("/api/logistics/pvt/configuration/docks")
def upsert_dock(body: DockIn, store: StoreDep) -> bool:
    store.put("docks", body.id, body.model_dump())
    return True


@router.get("/api/logistics/pvt/configuration/docks")
def list_docks(store: StoreDep) -> list[dict[str, Any]]:
    return store.all("docks")


@router.get("/api/logistics/pvt/configuration/docks/{dockId}")
def get_dock(dockId: str, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "docks", dockId, "Dock")


@router.post("/api/logistics/pvt/configuration/warehouses")
def upsert_warehouse(body: WarehouseIn, store: StoreDep) -> Response:
    docks = []
    for dock in body.warehouseDocks:
        if store.get("docks", dock.dockId) is None:
            raise unknown_reference("Dock", dock.dockId)
        doc = dock.model_dump()
        doc["cost"] = float(str(doc.get("cost") or 0).replace(",", "."))
        docks.append(doc)
    store.put("warehouses", body.id, {**body.model_dump(), "warehouseDocks": docks})
    return Response(status_code=200)


@router.get("/api/logistics/pvt/configuration/warehouses")
def list_warehouses(store: StoreDep) -> list[dict[str, Any]]:
    return store.all("warehouses")


@router.get("/api/logistics/pvt/configuration/warehouses/{warehouseId}")
def get_warehouse(warehouseId: str, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "warehouses", warehouseId, "Warehouse")


@router.delete("/api/logistics/pvt/configuration/warehouses/{warehouseId}")
def delete_warehouse(warehouseId: str, store: StoreDep) -> Response:
    if not store.delete("warehouses", warehouseId):
        raise not_found("Warehouse", warehouseId)
    return Response(status_code=200)


# --- inventory -------------------------------------------------------------------------


def _inventory_key(sku_id: int, warehouse_id: str) -> str:
    return f"{sku_id}-{warehouse_id}"


def _stock_warehouse(request: Request | None, warehouse_id: str) -> str:
    """The warehouse id inventory is kept under: with the known issue on, case does not count."""
    if request is not None and case_sensitive_warehouses(request):
        return warehouse_id.lower()
    return warehouse_id


def locked(request: Request, sku_id: int, warehouse_id: str) -> VtexError | None:
    """VTEX's 423 for a (SKU, warehouse) being written concurrently (a knob, or an admin lock)."""
    key = f"{request.app.state.config.account}_item_logistics_{sku_id}_{warehouse_id}"
    held = request.app.state.inventory_locks
    if (str(sku_id), warehouse_id) in held or fires(request, "inventory_lock"):
        return VtexError(423, f"Unable to acquire lock for key: {key}.")
    return None


def _lock_response(error: VtexError) -> Response:
    return Response(error.message, status_code=423, media_type="text/plain")


def _check_refs(store: Store, sku_id: int, warehouse_id: str) -> dict[str, Any]:
    if store.get("skus", sku_id) is None:
        raise not_found("SKU", sku_id)
    warehouse = store.get("warehouses", warehouse_id)
    if warehouse is None:
        raise not_found("Warehouse", warehouse_id)
    return warehouse


def _current(store: Store, sku_id: int, warehouse_id: str) -> dict[str, Any]:
    """Inventory of a SKU in a warehouse (``warehouse_id`` as ``_stock_warehouse`` gives it)."""
    return store.get("inventory", _inventory_key(sku_id, warehouse_id)) or {
        "skuId": str(sku_id),
        "warehouseId": warehouse_id,
        "quantity": 0,
        "unlimitedQuantity": False,
        "leadTime": ZERO_LEAD_TIME,
        "reservedQuantity": 0,
    }


@router.put("/api/logistics/pvt/inventory/skus/{skuId}/warehouses/{warehouseId}", response_model=None)
def put_inventory(
    skuId: int, warehouseId: str, body: InventoryIn, store: StoreDep, request: Request
) -> bool | Response:
    """Full update: omitted or null quantity and leadTime become 0, unlimitedQuantity false."""
    lock = locked(request, skuId, warehouseId)
    if lock is not None:
        return _lock_response(lock)
    stock_id = _stock_warehouse(request, warehouseId)
    with store.transaction():
        _check_refs(store, skuId, warehouseId)
        if body.quantity is not None and body.quantity < 0:
            raise bad_request("quantity cannot be negative")
        doc = _current(store, skuId, stock_id)
        doc.update(
            warehouseId=stock_id,
            quantity=body.quantity or 0,
            unlimitedQuantity=bool(body.unlimitedQuantity),
            leadTime=body.leadTime or ZERO_LEAD_TIME,
        )
        store.put("inventory", _inventory_key(skuId, stock_id), doc)
    if fires(request, "stock_applied_500"):
        raise applied_but_failed("inventory update")
    return True


@router.patch("/api/logistics/pvt/inventory/skus/{skuId}/warehouses/{warehouseId}/quantity")
def patch_quantity(
    skuId: int, warehouseId: str, body: QuantityIn, store: StoreDep, request: Request
) -> Response:
    lock = locked(request, skuId, warehouseId)
    if lock is not None:
        return _lock_response(lock)
    stock_id = _stock_warehouse(request, warehouseId)
    with store.transaction():
        _check_refs(store, skuId, warehouseId)
        doc = _current(store, skuId, stock_id)
        doc.update(
            warehouseId=stock_id, quantity=body.quantity or 0, unlimitedQuantity=bool(body.unlimitedQuantity)
        )
        store.put("inventory", _inventory_key(skuId, stock_id), doc)
    return Response(status_code=204)


@router.get("/api/logistics/pvt/inventory/skus/{skuId}")
def sku_balance(skuId: int, store: StoreDep, request: Request) -> dict[str, Any]:
    if store.get("skus", skuId) is None:
        raise not_found("SKU", skuId)
    balance = []
    rows = [
        (doc, store.get("warehouses", doc["warehouseId"]) or {})
        for doc in store.find("inventory", skuId=str(skuId))
    ]
    if case_sensitive_warehouses(request):  # one stock shown under every warehouse spelled alike
        rows = [
            (doc, warehouse)
            for doc in store.find("inventory", skuId=str(skuId))
            for warehouse in store.all("warehouses")
            if warehouse["id"].lower() == doc["warehouseId"]
        ]
    for doc, warehouse in rows:
        balance.append(
            {
                "warehouseId": warehouse.get("id", doc["warehouseId"]),
                "warehouseName": warehouse.get("name"),
                "totalQuantity": UNLIMITED_QUANTITY if doc["unlimitedQuantity"] else doc["quantity"],
                "reservedQuantity": doc["reservedQuantity"],
                "hasUnlimitedQuantity": doc["unlimitedQuantity"],
                "timeToRefill": None,
                "dateOfSupplyUtc": None,
                "leadTime": doc["leadTime"],
            }
        )
    return {"skuId": str(skuId), "balance": balance}


@router.get("/api/logistics/pvt/inventory/items/{skuId}/warehouses/{warehouseId}")
def item_in_warehouse(
    skuId: int, warehouseId: str, store: StoreDep, request: Request
) -> list[dict[str, Any]]:
    warehouse = _check_refs(store, skuId, warehouseId)
    doc = _current(store, skuId, _stock_warehouse(request, warehouseId))
    total = UNLIMITED_QUANTITY if doc["unlimitedQuantity"] else doc["quantity"]
    return [
        {
            "skuId": str(skuId),
            "warehouseId": warehouseId,
            "dockId": dock["dockId"],
            "totalQuantity": total,
            "reservedQuantity": doc["reservedQuantity"],
            "availableQuantity": max(0, total - doc["reservedQuantity"]),
            "isUnlimited": doc["unlimitedQuantity"],
            "salesChannel": (store.get("docks", dock["dockId"]) or {}).get("salesChannels") or [],
            "leadTime": doc["leadTime"],
        }
        for dock in warehouse.get("warehouseDocks", [])
    ]


# --- stock for the order simulator ----------------------------------------------------


def available_quantity(store: Store, sku_id: int | str) -> int:
    """Units of a SKU that can still be sold, over all warehouses."""
    total = 0
    for doc in store.find("inventory", skuId=str(sku_id)):
        if doc["unlimitedQuantity"]:
            return UNLIMITED_QUANTITY
        total += max(0, doc["quantity"] - doc["reservedQuantity"])
    return total


def reserve(store: Store, sku_id: int | str, qty: int) -> bool:
    """Reserve ``qty`` units (negative releases them); False, nothing changed, if short of stock."""
    with store.transaction():
        docs = store.find("inventory", skuId=str(sku_id))
        if qty > 0 and available_quantity(store, sku_id) < qty:
            return False
        remaining = qty
        for doc in docs:
            if remaining == 0:
                break
            if remaining > 0:
                free = (
                    UNLIMITED_QUANTITY
                    if doc["unlimitedQuantity"]
                    else doc["quantity"] - doc["reservedQuantity"]
                )
                step = min(max(free, 0), remaining)
            else:
                step = -min(doc["reservedQuantity"], -remaining)
            doc["reservedQuantity"] += step
            remaining -= step
            store.put("inventory", _inventory_key(int(sku_id), doc["warehouseId"]), doc)
        if remaining > 0:
            raise VtexError(409, f"Not enough stock of SKU {sku_id}")
        return True
