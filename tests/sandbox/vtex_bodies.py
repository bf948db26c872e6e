"""Request bodies that satisfy VTEX's published contract, for tests against a strict sandbox."""

from __future__ import annotations

from typing import Any

import httpx


def category(name: str, father: int | None = None, active: bool = True) -> dict[str, Any]:
    return {
        "Name": name, "Keywords": name, "Title": name, "Description": name, "AdWordsRemarketingCode": None,
        "LomadeeCampaignCode": None, "FatherCategoryId": father, "GlobalCategoryId": 0,
        "ShowInStoreFront": True, "IsActive": active, "ActiveStoreFrontLink": True, "ShowBrandFilter": True,
        "Score": 0, "StockKeepingUnitSelectionMode": "SPECIFICATION",
    }  # fmt: skip


def brand(brand_id: int, name: str, active: bool = True) -> dict[str, Any]:
    return {"Id": brand_id, "Name": name, "Text": name, "Keywords": name, "SiteTitle": name, "Active": active,
            "MenuHome": False, "Score": None, "LinkId": None}  # fmt: skip


def product(name: str, category_id: int, brand_id: int, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "CategoryId": category_id, "BrandId": brand_id, "RefId": f"P-{name}",
            "IsVisible": True, "IsActive": True, "Description": name, "Title": name, **extra}  # fmt: skip


def sku(product_id: int, ref: str | None, **extra: Any) -> dict[str, Any]:
    body = {"ProductId": product_id, "Name": f"SKU {ref}", "IsActive": False, "ActivateIfPossible": False,
            "PackagedHeight": 10, "PackagedLength": 10, "PackagedWidth": 10, "PackagedWeightKg": 100,
            **extra}  # fmt: skip
    if ref is not None:
        body["RefId"] = ref
    return body


IMAGE = {"Name": "front", "Url": "https://img.example/front.jpg", "IsMain": True, "Label": "front"}
DOCK = {
    "id": "d1", "name": "Dock", "priority": 0, "dockTimeFake": "1.00:00:00", "timeFakeOverhead": "00:00:00",
    "salesChannels": ["1"], "salesChannel": "1", "freightTableIds": [], "wmsEndPoint": "",
    "address": {"postalCode": "22220070", "country": {"acronym": "BRA", "name": "Brazil"}, "city": "Rio",
                "state": "RJ", "neighborhood": "Catete", "street": "Rua A", "number": "1", "complement": "",
                "coordinates": [[-43.17, -22.92]]},
}  # fmt: skip


def warehouse(warehouse_id: str) -> dict[str, Any]:
    return {"id": warehouse_id, "name": warehouse_id,
            "warehouseDocks": [{"dockId": "d1", "name": "Dock", "time": "1.00:00:00", "cost": "0.00",
                                "translateDays": "dias", "costToDisplay": "0,00"}]}  # fmt: skip


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 204), f"{response.status_code} {response.text}"
    return response.json() if response.content else None


def catalog(client: httpx.Client, brand_id: int = 2000) -> dict[str, int]:
    """An active department > category, an active brand and product, and one inactive SKU."""
    dept = ok(client.post("/api/catalog/pvt/category", json=category("Dept")))["Id"]
    leaf = ok(client.post("/api/catalog/pvt/category", json=category("Leaf", dept)))["Id"]
    ok(client.post("/api/catalog/pvt/brand", json=brand(brand_id, f"Brand {brand_id}")))
    prod = ok(client.post("/api/catalog/pvt/product", json=product(f"Shirt{brand_id}", leaf, brand_id)))["Id"]
    sku_id = ok(client.post("/api/catalog/pvt/stockkeepingunit", json=sku(prod, f"S-{brand_id}")))["Id"]
    return {"dept": dept, "leaf": leaf, "brand": brand_id, "product": prod, "sku": sku_id}


def stock_place(client: httpx.Client, warehouse_id: str = "wh1") -> None:
    ok(client.post("/api/logistics/pvt/configuration/docks", json=DOCK))
    ok(client.post("/api/logistics/pvt/configuration/warehouses", json=warehouse(warehouse_id)))
