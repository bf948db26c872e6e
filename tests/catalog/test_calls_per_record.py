"""The initial setup makes the writes the ERP data needs and no other call: one specification call
per product, SKU specifications and images created without a read when VTEX cannot hold them yet,
no activation call (VTEX activates a SKU when its image lands). Each ERP row is read about once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

import vtex_sync.erp as erp_package
from tests.incremental.conftest import ACCOUNT, Shop, run_initial_setup
from tests.incremental.test_incremental_sync import by, sync
from vtex_provider.clients.catalog import CatalogClient
from vtex_sync.entities import ENTITIES
from vtex_sync.steps import STEPS

AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


def routes(shop: Shop) -> Counter[str]:
    stats = shop.vtex.get("/_sandbox/stats").raise_for_status().json()
    counts: Counter[str] = Counter()
    for row in stats["by_route"]:
        counts[f"{row['method']} {row['route']}"] += row["count"]
    return counts


def empty_store(shop: Shop) -> None:
    """VTEX and the state store as before a first setup (the ERP keeps its rows)."""
    shop.vtex.post("/_sandbox/reset").raise_for_status()
    forget_state(shop)
    shop.reset_stats()


def forget_state(shop: Shop) -> None:
    with shop.state.engine.begin() as conn:
        for table in ("bindings", "intents"):
            conn.exec_driver_sql(f"DELETE FROM state_{table}")


def test_a_setup_over_an_empty_store_makes_only_the_writes_the_data_needs(shop: Shop) -> None:
    empty_store(shop)
    run_initial_setup()

    calls = routes(shop)
    brands = len(shop.all_rows("brands"))
    reads = {route: n for route, n in calls.items() if route.startswith("GET")}
    # a new brand's id is chosen by VTEX's create schema: its candidate id is read first
    assert reads == {"GET /api/catalog/pvt/brand/{brandId}": brands}, reads
    products = {r["product_ref_id"] for r in shop.all_rows("product_specifications")}
    assert calls["POST /api/catalog_system/pvt/products/{productId}/specification"] == len(products)
    assert calls["POST /api/catalog/pvt/product/{productId}/specification"] == 0
    assert calls["POST /api/catalog/pvt/stockkeepingunit/{skuId}/specification"] == len(
        shop.all_rows("sku_specifications"))
    assert calls["POST /api/catalog/pvt/stockkeepingunit/{skuId}/file"] == len(shop.all_rows("sku_images"))
    assert calls["PUT /api/catalog/pvt/stockkeepingunit/{skuId}"] == 0  # no activation call
    export = shop.export()
    active = {s["ref_id"] for s in shop.all_rows("skus") if s["active"]}
    assert {s["RefId"] for s in export["skus"] if s["IsActive"]} == active


def test_a_product_s_specifications_go_in_one_call_holding_the_whole_product(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only one row changed in the window, but the call sets every field of the product."""
    sent: list[tuple[int, list[dict[str, Any]]]] = []
    original = CatalogClient.set_product_specifications

    def spy(self: CatalogClient, product_id: int, specs: list[Any]) -> None:
        sent.append((product_id, [spec.to_body() for spec in specs]))
        original(self, product_id, specs)

    monkeypatch.setattr(CatalogClient, "set_product_specifications", spy)
    rows = shop.rows("product_specifications", ["P00001"], column="product_ref_id")
    material = next(r for r in rows if r["field_code"] == "F-MATERIAL")
    shop.change("product_specifications", [material], AT, text="Organic cotton")
    shop.reset_stats()

    sync("catalog", AT, 15)

    assert shop.writes() == 1 and len(sent) == 1
    product_id, items = sent[0]
    assert {item["Id"] for item in items} == product_field_ids(shop)  # Fit too, though only Material changed
    held = shop.vtex.get(f"/api/catalog_system/pvt/products/{product_id}/specification").json()
    assert "Organic cotton" in {value for spec in held for value in spec["Value"]}


def product_field_ids(shop: Shop) -> set[int]:
    """The VTEX ids of the product (not SKU) specification fields."""
    bound = shop.state.bindings(ACCOUNT, "specification_field")
    return {int(str(bound[r["code"]].vtex_id)) for r in shop.all_rows("specification_fields")
            if not r["is_sku_spec"]}


def test_a_combo_value_switched_for_another_is_replaced_in_the_same_call(shop: Shop) -> None:
    rows = shop.rows("product_specifications", ["P00001"], column="product_ref_id")
    fit = next(r for r in rows if r["field_code"] == "F-FIT")
    other = "F-FIT-REGULAR" if fit["value_code"] != "F-FIT-REGULAR" else "F-FIT-RELAXED"
    shop.change("product_specifications", [fit], AT, active=False)
    shop.change("product_specifications", [fit], AT, value_code=other)
    shop.reset_stats()

    sync("catalog", AT, 15)

    assert shop.writes() == 1
    product_id = shop.state.get_binding(ACCOUNT, "product", "P00001").vtex_id
    held = {s["Name"]: s["Value"] for s in
            shop.vtex.get(f"/api/catalog_system/pvt/products/{product_id}/specification").json()}
    names = {v["code"]: v["name"] for v in shop.all_rows("specification_values")}
    assert held["Fit"] == [names[other]]


def test_a_specification_landing_after_its_image_gets_the_sku_activated(shop: Shop) -> None:
    """VTEX checks a SKU when its image lands; a specification filled later leaves it inactive
    unless the activation step sends it."""
    row = next(r for r in shop.all_rows("sku_specifications") if r["field_code"] == "F-SIZE")
    empty_store(shop)
    with shop.erp.engine.begin() as conn:
        conn.execute(text("DELETE FROM sku_specifications WHERE sku_ref_id = :sku AND field_code = :field"),
                     {"sku": row["sku_ref_id"], "field": row["field_code"]})
    run_initial_setup()
    assert by(shop.export()["skus"], "RefId")[(row["sku_ref_id"],)]["IsActive"] is False  # a size missing

    shop.change("sku_specifications", [row], AT)  # the ERP adds it back
    summary = sync("catalog", AT, 15)

    assert by(shop.export()["skus"], "RefId")[(row["sku_ref_id"],)]["IsActive"] is True
    assert summary["entities"]["sku_activation"]["updated"] == 1


def test_the_setup_reads_each_erp_row_about_once(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    read: Counter[str] = Counter()
    connect = erp_package.erp_from_connection

    class Counting:
        def __init__(self, erp: Any) -> None:
            self.erp = erp

        def read(self, table: str, **kwargs: Any) -> Any:
            for chunk in self.erp.read(table, **kwargs):
                read[table] += len(chunk)
                yield chunk

        def read_keys(self, table: str, keys: Any, **kwargs: Any) -> list[dict[str, Any]]:
            rows = self.erp.read_keys(table, keys, **kwargs)
            read[table] += len(rows)
            return rows

        def keys(self, table: str) -> set[str]:
            keys = self.erp.keys(table)
            read[table] += len(keys)
            return keys

        def __getattr__(self, name: str) -> Any:
            return getattr(self.erp, name)

    monkeypatch.setattr(erp_package, "erp_from_connection", lambda *a, **k: Counting(connect(*a, **k)))
    empty_store(shop)
    run_initial_setup()

    entities = [ENTITIES[name] for step in STEPS for name in step.entities]
    tables = {t for e in entities for t in (e.table, *e.details)}
    rows = sum(len(shop.all_rows(table)) for table in tables)
    assert sum(read.values()) <= 1.1 * rows, read
