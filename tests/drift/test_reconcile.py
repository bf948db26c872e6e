"""Drift made behind the product's back shows in the report and is repaired by a repair run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.incremental.conftest import Shop
from vtex_sync.airflow.sync_tasks import run_sync
from vtex_sync.drift import report as rep
from vtex_sync.drift.tasks import reconcile_group, store

DAY = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
GROUPS = ("catalog", "prices", "inventory")


def reconcile(shop: Shop, day: datetime = DAY, run_id: str = "r1", **params: Any) -> dict[str, Any]:
    parts = [reconcile_group(group, params, day=day) for group in GROUPS]
    store(parts, run_id=run_id)
    latest = rep.latest_report(shop.state, "sandbox")
    assert latest is not None and latest[0] == run_id
    return latest[2]


def examples(report: dict[str, Any], entity: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["key"], e["field"]): e for e in report["entities"][entity]["examples"]}


def inject_drift(shop: Shop) -> dict[str, Any]:
    """A price, a stock row and a product name changed in VTEX; a late ERP commit on a SKU's stock."""
    export = shop.export()
    vtex = shop.vtex
    price = export["prices"][0]
    sku_by_id = {str(s["Id"]): s for s in export["skus"]}
    price_ref = sku_by_id[str(price["itemId"])]["RefId"]
    body = {"basePrice": 1.11, "fixedPrices": price.get("fixedPrices") or []}
    body |= {name: price[name] for name in ("listPrice", "costPrice") if price.get(name) is not None}
    vtex.put(f"/pricing/prices/{price['itemId']}", json=body).raise_for_status()

    stock = export["inventory"][0]
    stock_ref = sku_by_id[str(stock["skuId"])]["RefId"]
    path = f"/api/logistics/pvt/inventory/skus/{stock['skuId']}/warehouses/{stock['warehouseId']}"
    vtex.put(
        path, json={"quantity": 4321, "unlimitedQuantity": False, "leadTime": "0.00:00:00"}
    ).raise_for_status()

    product = export["products"][0]
    current = vtex.get(f"/api/catalog/pvt/product/{product['Id']}").raise_for_status().json()
    # like VTEX's admin, it sends back what is set (the product's schema allows no null there)
    body = {k: v for k, v in current.items() if v is not None} | {"Name": "Renamed in the admin"}
    vtex.put(f"/api/catalog/pvt/product/{product['Id']}", json=body).raise_for_status()

    # a late commit: the row carries a time inside a window that already ran, so no sync sees it
    late = next(r for r in shop.all_rows("stock") if r["sku_ref_id"] != stock_ref and r["active"])
    shop.change("stock", [late], DAY - timedelta(days=30), quantity=777, unlimited=False)
    run_sync("inventory", {}, start=DAY - timedelta(minutes=2), end=DAY)
    return {
        "price": (price_ref, "basePrice"),
        "stock": (f"{stock_ref}|{stock['warehouseId']}", "quantity"),
        "product": (product["RefId"], "Name"),
        "late": (f"{late['sku_ref_id']}|{late['warehouse_code']}", "quantity"),
        "original_name": next(
            r["name"] for r in shop.all_rows("products") if r["ref_id"] == product["RefId"]
        ),
        "erp_price": next(r["base_price"] for r in shop.all_rows("prices") if r["sku_ref_id"] == price_ref),
    }


def test_injected_drift_is_reported_then_repaired(shop: Shop) -> None:
    clean = reconcile(shop, run_id="clean")
    assert clean["drifted"] == 0, clean["entities"]
    assert shop.writes() == 0, "a reconcile run without repair must not write"
    for entity in ("product", "sku", "price", "inventory"):
        assert clean["entities"][entity]["checked"] == clean["entities"][entity]["total"] > 0

    drift = inject_drift(shop)
    shop.reset_stats()
    found = reconcile(shop, run_id="found")
    assert shop.writes() == 0
    assert found["drifted"] == 4, found["entities"]
    price = examples(found, "price")[drift["price"]]
    assert price["vtex"] == "1.11" and Decimal(price["erp"]) == Decimal(str(drift["erp_price"])).normalize()
    assert price["cause"] == rep.Cause.CHANGED_IN_VTEX
    stock = examples(found, "inventory")[drift["stock"]]
    assert stock["vtex"] == "4321" and stock["cause"] == rep.Cause.CHANGED_IN_VTEX
    product = examples(found, "product")[drift["product"]]
    assert (product["erp"], product["vtex"]) == (drift["original_name"], "Renamed in the admin")
    late = examples(found, "inventory")[drift["late"]]
    assert late["erp"] == "777" and late["cause"] == rep.Cause.ERP_NOT_SYNCED
    assert late["erp_updated_at"].startswith((DAY - timedelta(days=30)).date().isoformat())
    assert found["entities"]["inventory"]["fields"] == {"quantity": 2}

    again = reconcile(shop, day=DAY + timedelta(days=1), run_id="again")
    assert examples(again, "price")[drift["price"]]["since"] == price["since"], "first seen is kept"

    shop.reset_stats()
    repaired = reconcile(shop, day=DAY + timedelta(days=2), run_id="repair", repair=True)
    assert shop.writes() == 4, "the repair re-sends exactly the drifted records"
    assert repaired["repaired"]["prices"]["updated"] == 1
    assert repaired["repaired"]["inventory"]["updated"] == 2
    after = reconcile(shop, day=DAY + timedelta(days=3), run_id="after")
    assert after["drifted"] == 0, after["entities"]
    names = {p["RefId"]: p["Name"] for p in shop.export()["products"]}
    assert names[drift["product"][0]] == drift["original_name"]
    assert rep.first_seen(shop.state, "sandbox", "price") == {}


def test_slices_cover_the_store_once_over_their_count(shop: Shop) -> None:
    seen: dict[str, int] = {}
    totals: dict[str, int] = {}
    for offset in range(3):
        found = reconcile(shop, day=DAY + timedelta(days=offset), run_id=f"s{offset}", slices=3)
        assert found["checked_share"] == round(1 / 3, 4)
        for entity, part in found["entities"].items():
            seen[entity] = seen.get(entity, 0) + part["checked"]
            totals[entity] = part["total"]
    assert seen == totals
    assert len(rep.history(shop.state, "sandbox")) == 3
