"""Incremental syncs after an initial setup: only what changed in the window reaches VTEX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from tests.incremental.conftest import Shop
from vtex_sync.airflow.sync_tasks import run_sync

CHANGED_AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


def interval(at: datetime, minutes: int) -> tuple[datetime, datetime]:
    """The scheduled data interval of `minutes` that contains `at`."""
    start = at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)
    return start, start + timedelta(minutes=minutes)


def sync(flow: str, at: datetime, minutes: int, **params: Any) -> dict[str, Any]:
    start, end = interval(at, minutes)
    return run_sync(flow, params, start=start, end=end)


def one_percent(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every hundredth row: 1% of the table, at least one row."""
    count = max(1, len(rows) // 100)
    return rows[:: max(1, len(rows) // count)][:count]


def by(records: list[dict[str, Any]], *fields: str) -> dict[tuple, dict[str, Any]]:
    return {tuple(str(r[f]) for f in fields): r for r in records}


def changed(before: list[dict[str, Any]], after: list[dict[str, Any]], *fields: str) -> set[tuple]:
    old, new = by(before, *fields), by(after, *fields)
    return {key for key in new if old.get(key) != new[key]}


def test_each_sync_sends_exactly_the_records_changed_in_its_window(shop: Shop) -> None:
    prices = one_percent(shop.all_rows("prices"))
    stock = one_percent(shop.all_rows("stock"))
    products = shop.all_rows("products")[:3]
    shop.change("prices", prices, CHANGED_AT, base_price=Decimal("123.45"))
    shop.change("stock", stock, CHANGED_AT, quantity=987)
    renamed = {p["ref_id"]: f"{p['name']} (new season)" for p in products}
    for product in products:
        shop.change("products", [product], CHANGED_AT, name=renamed[product["ref_id"]])
    ids = shop.sku_ids()
    before = shop.export()

    sync("prices", CHANGED_AT, 5)
    sync("inventory", CHANGED_AT, 2)
    sync("catalog", CHANGED_AT, 15)

    after = shop.export()
    assert changed(before["prices"], after["prices"], "itemId") == {(ids[p["sku_ref_id"]],) for p in prices}
    assert by(after["prices"], "itemId")[(ids[prices[0]["sku_ref_id"]],)]["basePrice"] == 123.45
    expected_stock = {(ids[s["sku_ref_id"]], s["warehouse_code"]) for s in stock}
    assert changed(before["inventory"], after["inventory"], "skuId", "warehouseId") == expected_stock
    changed_products = changed(before["products"], after["products"], "RefId")
    assert changed_products == {(ref,) for ref in renamed}
    assert {p["RefId"]: p["Name"] for p in after["products"] if p["RefId"] in renamed} == renamed
    for kind in ("categories", "brands", "skus", "sku_files", "sku_specifications", "product_specifications"):
        assert after[kind] == before[kind], kind
    assert shop.writes() == len(prices) + len(stock) + len(products)

    shop.reset_stats()
    sync("prices", CHANGED_AT, 5)
    sync("inventory", CHANGED_AT, 2)
    sync("catalog", CHANGED_AT, 15)
    assert shop.writes() == 0, "a rerun of the same interval must not write again"


def test_either_price_table_changing_resends_the_complete_price(shop: Shop) -> None:
    fixed = shop.all_rows("fixed_prices")
    base_only, fixed_only = fixed[0]["sku_ref_id"], fixed[-1]["sku_ref_id"]
    assert base_only != fixed_only
    shop.change("prices", shop.rows("prices", [base_only]), CHANGED_AT, base_price=Decimal("77.70"))
    shop.change("fixed_prices", shop.rows("fixed_prices", [fixed_only], column="sku_ref_id"), CHANGED_AT,
                value=Decimal("99.90"))
    ids = shop.sku_ids()
    before = by(shop.export()["prices"], "itemId")

    sync("prices", CHANGED_AT, 5)

    after = by(shop.export()["prices"], "itemId")
    base_key, fixed_key = (ids[base_only],), (ids[fixed_only],)
    assert after[base_key]["fixedPrices"] == before[base_key]["fixedPrices"] != []
    assert after[base_key]["basePrice"] == 77.70
    assert after[fixed_key]["basePrice"] == before[fixed_key]["basePrice"]
    assert {f["value"] for f in after[fixed_key]["fixedPrices"]} == {99.90}
    assert shop.writes() == 2


def test_a_backfill_resyncs_its_own_window_and_nothing_else(shop: Shop) -> None:
    old, recent = shop.all_rows("prices")[:2]
    old_at = datetime(2026, 3, 1, 8, 3, tzinfo=UTC)
    shop.change("prices", [old], old_at, base_price=Decimal("11.11"))
    shop.change("prices", [recent], CHANGED_AT, base_price=Decimal("22.22"))
    ids = shop.sku_ids()

    sync("prices", CHANGED_AT, 5)
    prices = {p["itemId"]: p["basePrice"] for p in shop.export()["prices"]}
    assert prices[ids[recent["sku_ref_id"]]] == 22.22
    assert prices[ids[old["sku_ref_id"]]] != 11.11, "a scheduled run must not reach back before its window"
    shop.reset_stats()

    start = datetime(2026, 3, 1, 7, 50, tzinfo=UTC)
    for step in range(8):  # what a backfill from 07:50 to 08:30 runs, one interval at a time
        sync("prices", start + timedelta(minutes=5 * step), 5)

    prices = {p["itemId"]: p["basePrice"] for p in shop.export()["prices"]}
    assert prices[ids[old["sku_ref_id"]]] == 11.11
    assert prices[ids[recent["sku_ref_id"]]] == 22.22
    assert shop.writes() == 1


def test_deactivated_products_and_skus_are_sent_inactive_and_complete(shop: Shop) -> None:
    product = shop.all_rows("products")[0]
    sku = next(s for s in shop.all_rows("skus") if s["product_ref_id"] != product["ref_id"])
    shop.change("products", [product], CHANGED_AT, active=False)
    shop.change("skus", [sku], CHANGED_AT, active=False)
    before = shop.export()

    sync("catalog", CHANGED_AT, 15)

    after = shop.export()
    old_product = by(before["products"], "RefId")[(product["ref_id"],)]
    new_product = by(after["products"], "RefId")[(product["ref_id"],)]
    assert new_product == {**old_product, "IsActive": False}
    old_sku = by(before["skus"], "RefId")[(sku["ref_id"],)]
    new_sku = by(after["skus"], "RefId")[(sku["ref_id"],)]
    # ActivateIfPossible off too, or VTEX would switch the SKU on again by itself
    assert new_sku == {**old_sku, "IsActive": False, "ActivateIfPossible": False}
    assert shop.writes() == 2


def add_sku(shop: Shop, at: datetime) -> tuple[str, str]:
    """A new SKU under an existing product, with its specs, image, price and stock; returns (ref, product)."""
    template = shop.all_rows("skus")[0]
    ref = f"{template['product_ref_id']}-99"
    shop.change("skus", [template], at, ref_id=ref, name=f"{template['name']} new", ean=None,
                manufacturer_code=f"MC-{ref}")
    for table in ("sku_specifications", "sku_images", "prices", "stock"):
        shop.change(table, shop.rows(table, [template["ref_id"]], column="sku_ref_id"), at, sku_ref_id=ref)
    images = shop.rows("sku_images", [ref], column="sku_ref_id")
    shop.change("sku_images", images, at, url=f"https://images.example.com/{ref}.jpg", name=f"{ref}-1")
    return ref, template["product_ref_id"]


def test_a_new_sku_under_an_existing_product_lands_active(shop: Shop) -> None:
    ref, product_ref = add_sku(shop, CHANGED_AT)

    summary = sync("catalog", CHANGED_AT, 15)

    export = shop.export()
    sku = by(export["skus"], "RefId")[(ref,)]
    product = by(export["products"], "RefId")[(product_ref,)]
    assert sku["IsActive"] is True and sku["ProductId"] == product["Id"]
    assert len([s for s in export["sku_specifications"] if s["SkuId"] == sku["Id"]]) == 2
    assert len([f for f in export["sku_files"] if f["SkuId"] == sku["Id"]]) == 1
    assert summary["entities"]["sku"]["created"] == 1 and "sku_ean" in summary["entities"]  # apart
    # create (ActivateIfPossible), two specifications, one image: VTEX activates the SKU itself
    # when its image lands (after its specifications), so the activation step has nothing to do
    assert summary["entities"]["sku_activation"].get("planned", 0) == 0
    assert shop.writes() == 4 and shop.calls() == 4


def test_stock_for_an_unknown_sku_waits_then_lands_once_the_sku_exists(shop: Shop) -> None:
    ref, _ = add_sku(shop, CHANGED_AT)
    warehouses = {s["warehouse_code"]: s["quantity"] for s in shop.rows("stock", [ref], column="sku_ref_id")}

    first = sync("inventory", CHANGED_AT, 2)
    assert first["entities"]["inventory"]["waiting_parent"] == len(warehouses)
    assert shop.writes() == 0
    assert set(shop.state.keys_with_status("sandbox", "inventory", ["waiting_parent"])) == {
        f"{ref}|{code}" for code in warehouses
    }

    sync("catalog", CHANGED_AT, 15)
    later = CHANGED_AT + timedelta(hours=1)  # a later run: the stock rows are outside its window
    shop.reset_stats()
    second = sync("inventory", later, 2)

    sku_id = shop.sku_ids()[ref]
    landed = {i["warehouseId"]: i["quantity"] for i in shop.export()["inventory"] if i["skuId"] == sku_id}
    assert landed == warehouses
    assert second["entities"]["inventory"]["created"] == len(warehouses)
    assert shop.writes() == len(warehouses)
    assert shop.state.keys_with_status("sandbox", "inventory", ["waiting_parent"]) == []


def test_the_guard_stops_a_run_that_zeroes_all_stock_unless_confirmed(shop: Shop) -> None:
    stock = shop.all_rows("stock")
    shop.change("stock", stock, CHANGED_AT, quantity=0, unlimited=False)
    skus = {s["sku_ref_id"] for s in stock}

    with pytest.raises(AirflowFailException, match=rf"{len(skus)} of {len(skus)} \(100%\)"):
        sync("inventory", CHANGED_AT, 2)
    assert shop.writes() == 0
    assert any(i["quantity"] > 0 for i in shop.export()["inventory"])

    sync("inventory", CHANGED_AT, 2, confirm_blast_radius=True)
    assert all(i["quantity"] == 0 for i in shop.export()["inventory"])
    assert shop.writes() == len(stock)


def test_the_guard_stops_a_run_that_triples_most_prices(shop: Shop) -> None:
    prices = shop.all_rows("prices")
    moved = prices[: len(prices) // 2]
    for row in moved:
        shop.change("prices", [row], CHANGED_AT, base_price=row["base_price"] * 3)
    before = shop.export()["prices"]

    with pytest.raises(AirflowFailException, match=rf"{len(moved)} of {len(prices)}"):
        sync("prices", CHANGED_AT, 5)
    assert shop.writes() == 0
    assert shop.export()["prices"] == before


def delete_rows(shop: Shop, table: str, column: str, values: set[str]) -> None:
    from sqlalchemy import text

    with shop.erp.engine.begin() as conn:
        for value in values:
            conn.execute(text(f"DELETE FROM {table} WHERE {column} = :v"), {"v": value})


def test_products_and_skus_deleted_from_the_erp_are_deactivated_once(shop: Shop) -> None:
    product = shop.all_rows("products")[0]["ref_id"]
    skus = {s["ref_id"] for s in shop.all_rows("skus") if s["product_ref_id"] == product}
    delete_rows(shop, "skus", "product_ref_id", {product})
    delete_rows(shop, "products", "ref_id", {product})
    before = shop.export()

    sync("catalog", CHANGED_AT, 15)  # a window in which nothing changed

    after = shop.export()
    old, new = by(before["products"], "RefId"), by(after["products"], "RefId")
    assert new[(product,)] == {**old[(product,)], "IsActive": False}
    old_skus, new_skus = by(before["skus"], "RefId"), by(after["skus"], "RefId")
    for ref in skus:
        assert new_skus[(ref,)] == {**old_skus[(ref,)], "IsActive": False}
    assert shop.writes() == 1 + len(skus)
    assert changed(before["products"], after["products"], "RefId") == {(product,)}

    shop.reset_stats()
    sync("catalog", CHANGED_AT, 15)
    assert shop.writes() == 0, "a deleted record is deactivated once, not every run"


def test_the_guard_stops_a_run_after_most_products_were_deleted(shop: Shop) -> None:
    products = {p["ref_id"] for p in shop.all_rows("products")}
    delete_rows(shop, "skus", "product_ref_id", products)
    delete_rows(shop, "products", "ref_id", products)

    with pytest.raises(AirflowFailException, match="deleted from the ERP"):
        sync("catalog", CHANGED_AT, 15)
    assert shop.writes() == 0
    assert all(p["IsActive"] for p in shop.export()["products"])
