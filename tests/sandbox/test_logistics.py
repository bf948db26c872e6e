"""Logistics routes: docks, warehouses, inventory defaults and stock reservations."""

from __future__ import annotations

import httpx

from vtex_sandbox.logistics import available_quantity, reserve
from vtex_sandbox.server import SandboxServer

SKU = {"Name": "S", "PackagedHeight": 1, "PackagedLength": 1, "PackagedWidth": 1, "PackagedWeightKg": 1}
WAREHOUSE = {"id": "w1", "name": "Main", "warehouseDocks": [{"dockId": "d1", "name": "D", "time": "1.0:0:0",
             "cost": "5.00", "translateDays": "day", "costToDisplay": "5,00"}]}  # fmt: skip


def _setup(vtex: httpx.Client) -> int:
    category = vtex.post("/api/catalog/pvt/category", json={"Name": "C"}).json()["Id"]
    brand = vtex.post("/api/catalog/pvt/brand", json={"Name": "B"}).json()["Id"]
    product = vtex.post(
        "/api/catalog/pvt/product", json={"Name": "P", "CategoryId": category, "BrandId": brand}
    )
    assert vtex.post("/api/logistics/pvt/configuration/docks", json={"id": "d1", "name": "D"}).json() is True
    assert vtex.post("/api/logistics/pvt/configuration/warehouses", json=WAREHOUSE).status_code == 200
    return vtex.post(
        "/api/catalog/pvt/stockkeepingunit", json={**SKU, "ProductId": product.json()["Id"]}
    ).json()["Id"]


def test_warehouse_needs_existing_docks(vtex: httpx.Client) -> None:
    _setup(vtex)
    assert (
        vtex.get("/api/logistics/pvt/configuration/warehouses/w1").json()["warehouseDocks"][0]["cost"] == 5.0
    )
    other = {
        **WAREHOUSE,
        "id": "w2",
        "warehouseDocks": [{**WAREHOUSE["warehouseDocks"][0], "dockId": "nope"}],
    }
    assert vtex.post("/api/logistics/pvt/configuration/warehouses", json=other).status_code == 400
    assert vtex.delete("/api/logistics/pvt/configuration/warehouses/w1").status_code == 200
    assert vtex.get("/api/logistics/pvt/configuration/warehouses").json() == []


def test_inventory_put_defaults_missing_fields_to_zero(vtex: httpx.Client) -> None:
    sku = _setup(vtex)
    url = f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/w1"
    full = {"quantity": 7, "unlimitedQuantity": True, "leadTime": "1.00:00:00"}
    assert vtex.put(url, json=full).json() is True
    assert vtex.put(url, json={}).json() is True
    balance = vtex.get(f"/api/logistics/pvt/inventory/skus/{sku}").json()["balance"][0]
    assert (balance["totalQuantity"], balance["hasUnlimitedQuantity"], balance["leadTime"]) == (
        0,
        False,
        "00:00:00",
    )
    assert vtex.patch(f"{url}/quantity", json={"quantity": 3, "unlimitedQuantity": False}).status_code == 204
    item = vtex.get(f"/api/logistics/pvt/inventory/items/{sku}/warehouses/w1").json()[0]
    assert (item["totalQuantity"], item["availableQuantity"]) == (3, 3)
    assert vtex.put(f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/nope", json=full).status_code == 404
    assert vtex.put("/api/logistics/pvt/inventory/skus/99999/warehouses/w1", json=full).status_code == 404
    exported = vtex.get("/_sandbox/export").json()["inventory"]
    assert exported == [{"skuId": str(sku), "warehouseId": "w1", "quantity": 3, "unlimitedQuantity": False,
                         "leadTime": "00:00:00", "reservedQuantity": 0}]  # fmt: skip


def test_reserve_and_release_stock(vtex: httpx.Client, sandbox_server: SandboxServer) -> None:
    sku = _setup(vtex)
    vtex.put(f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/w1", json={"quantity": 5})
    store = sandbox_server.app.state.store
    assert reserve(store, sku, 4) is True
    assert available_quantity(store, sku) == 1
    assert reserve(store, sku, 2) is False
    item = vtex.get(f"/api/logistics/pvt/inventory/items/{sku}/warehouses/w1").json()[0]
    assert (item["reservedQuantity"], item["availableQuantity"]) == (4, 1)
    assert reserve(store, sku, -4) is True
    assert available_quantity(store, sku) == 5
