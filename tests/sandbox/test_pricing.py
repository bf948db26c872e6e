"""Pricing routes: full-replace PUT, fixed prices, the base price rule and URL prefixes."""

from __future__ import annotations

import httpx

SKU = {"Name": "S", "PackagedHeight": 1, "PackagedLength": 1, "PackagedWidth": 1, "PackagedWeightKg": 1}


def _sku(vtex: httpx.Client) -> int:
    category = vtex.post("/api/catalog/pvt/category", json={"Name": "C"}).json()["Id"]
    brand = vtex.post("/api/catalog/pvt/brand", json={"Name": "B"}).json()["Id"]
    product = vtex.post(
        "/api/catalog/pvt/product", json={"Name": "P", "CategoryId": category, "BrandId": brand}
    )
    return vtex.post(
        "/api/catalog/pvt/stockkeepingunit", json={**SKU, "ProductId": product.json()["Id"]}
    ).json()["Id"]


def test_put_replaces_fixed_prices_and_is_served_under_every_prefix(vtex: httpx.Client) -> None:
    sku = _sku(vtex)
    fixed = [
        {"tradePolicyId": "1", "value": 9.5, "minQuantity": 1},
        {"tradePolicyId": "2", "value": 8, "minQuantity": 1},
    ]
    assert vtex.put(f"/pricing/prices/{sku}", json={"basePrice": 10, "fixedPrices": fixed}).status_code == 200
    assert (
        vtex.put(f"/testshop/pricing/prices/{sku}", json={"basePrice": 12, "costPrice": 6}).status_code == 200
    )
    price = vtex.get(f"/api/pricing/prices/{sku}").json()
    assert (price["itemId"], price["basePrice"], price["markup"], price["fixedPrices"]) == (
        str(sku),
        12,
        100,
        [],
    )
    export = vtex.get("/_sandbox/export").json()["prices"]
    assert export == [price]


def test_fixed_price_routes_upsert_and_delete(vtex: httpx.Client) -> None:
    sku = _sku(vtex)
    vtex.put(f"/pricing/prices/{sku}", json={"costPrice": 5, "markup": 100})
    assert vtex.get(f"/pricing/prices/{sku}").json()["basePrice"] == 10
    vtex.post(f"/pricing/prices/{sku}/fixed/b2b", json=[{"value": 7, "minQuantity": 1}])
    vtex.patch(f"/pricing/prices/{sku}/fixed", json=[{"tradePolicyId": "b2b", "value": 6, "minQuantity": 1}])
    vtex.patch(f"/pricing/prices/{sku}/fixed", json=[{"tradePolicyId": "1", "value": 9, "minQuantity": 1}])
    assert [f["value"] for f in vtex.get(f"/pricing/prices/{sku}/fixed/b2b").json()] == [6]
    assert len(vtex.get(f"/pricing/prices/{sku}/fixed").json()) == 2
    assert "b2b" in vtex.get("/pricing/tables").json()
    vtex.delete(f"/pricing/prices/{sku}/fixed/b2b")
    assert [f["tradePolicyId"] for f in vtex.get(f"/pricing/prices/{sku}/fixed").json()] == ["1"]
    assert vtex.delete(f"/pricing/prices/{sku}").status_code == 200
    assert vtex.get(f"/pricing/prices/{sku}").status_code == 404


def test_base_price_rule_and_unknown_sku(vtex: httpx.Client) -> None:
    sku = _sku(vtex)
    assert vtex.put(f"/pricing/prices/{sku}", json={"costPrice": 5}).status_code == 400
    disagree = {"basePrice": 50, "costPrice": 5, "markup": 100}
    assert vtex.put(f"/pricing/prices/{sku}", json=disagree).status_code == 400
    bad_range = {"basePrice": 5, "fixedPrices": [{"tradePolicyId": "1", "value": 1, "minQuantity": 1,
                 "dateRange": {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}}]}  # fmt: skip
    assert vtex.put(f"/pricing/prices/{sku}", json=bad_range).status_code == 400
    assert vtex.put("/pricing/prices/424242", json={"basePrice": 5}).status_code == 400
