"""Catalog writes keep what the store set in VTEX, find exactly their own objects, and can change
again and again: each test drives the real flows over HTTP against the sandbox."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.incremental.conftest import Shop, run_initial_setup
from tests.incremental.test_incremental_sync import by, sync
from vtex_sync.airflow.tasks import RecordsFailed
from vtex_sync.flows.ownership import Owned, Ownership, OwnershipError

AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)
REQUIRED_NULLABLE = frozenset({"FatherCategoryId", "AdWordsRemarketingCode", "LomadeeCampaignCode"})


def vtex_put(shop: Shop, path: str, **changes: Any) -> dict[str, Any]:
    """What a store user does in VTEX's admin: read the object, change fields, save it."""
    current = shop.vtex.get(path).raise_for_status().json()
    # like VTEX's admin, it sends back what is set: VTEX's documents allow no null there, except
    # the category's required-nullable FatherCategoryId and legacy campaign codes
    kept = {k: v for k, v in current.items() if v is not None or k in REQUIRED_NULLABLE}
    body = {**kept, **changes}
    shop.vtex.put(path, json=body).raise_for_status()
    return body


def test_a_rename_keeps_the_product_url_and_an_update_keeps_the_tax_code(shop: Shop) -> None:
    product = next(p for p in shop.all_rows("products") if not p["link_id"])
    vtex = by(shop.export()["products"], "RefId")[(product["ref_id"],)]
    vtex_put(shop, f"/api/catalog/pvt/product/{vtex['Id']}", TaxCode="NCM-6109", Score=7)
    shop.change("products", [product], AT, name=f"{product['name']} renamed", description="new text")

    sync("catalog", AT, 15)

    after = by(shop.export()["products"], "RefId")[(product["ref_id"],)]
    assert after["Name"] == f"{product['name']} renamed" and after["Description"] == "new text"
    assert after["LinkId"] == vtex["LinkId"], "a rename must not change the product's URL"
    assert (after["TaxCode"], after["Score"]) == ("NCM-6109", 7), "VTEX-owned fields were overwritten"


def test_the_erp_link_id_wins_when_the_erp_sets_one(shop: Shop) -> None:
    product = shop.all_rows("products")[0]
    shop.change("products", [product], AT, link_id="my-own-slug")
    sync("catalog", AT, 15)
    assert by(shop.export()["products"], "RefId")[(product["ref_id"],)]["LinkId"] == "my-own-slug"


def test_updates_of_categories_brands_and_skus_keep_vtex_owned_fields(shop: Shop) -> None:
    export = shop.export()
    category = shop.all_rows("categories")[0]
    brand = shop.all_rows("brands")[0]
    sku = shop.all_rows("skus")[0]
    cat_id = shop.state.bindings("sandbox", "category", [category["code"]])[category["code"]].vtex_id
    brand_id = shop.state.bindings("sandbox", "brand", [brand["code"]])[brand["code"]].vtex_id
    sku_id = shop.sku_ids()[sku["ref_id"]]
    vtex_put(shop, f"/api/catalog/pvt/category/{cat_id}", GlobalCategoryId=3367, Score=4)
    vtex_put(shop, f"/api/catalog/pvt/brand/{brand_id}", MenuHome=True, Score=9)
    vtex_put(shop, f"/api/catalog/pvt/stockkeepingunit/{sku_id}", ModalType="GLASS", CubicWeight=0.25)
    shop.change("categories", [category], AT, description="changed in the ERP")
    shop.change("brands", [brand], AT, title="changed in the ERP")
    shop.change("skus", [sku], AT, name=f"{sku['name']} changed")

    sync("catalog", AT, 15)

    after = shop.export()
    new_cat = next(c for c in after["categories"] if str(c["Id"]) == cat_id)
    assert (new_cat["Description"], new_cat["GlobalCategoryId"], new_cat["Score"]) == (
        "changed in the ERP", 3367, 4)  # fmt: skip
    new_brand = next(b for b in after["brands"] if str(b["Id"]) == brand_id)
    assert (new_brand["SiteTitle"], new_brand["MenuHome"], new_brand["Score"]) == (
        "changed in the ERP", True, 9)  # fmt: skip
    new_sku = next(s for s in after["skus"] if str(s["Id"]) == sku_id)
    assert new_sku["Name"] == f"{sku['name']} changed"
    assert (new_sku["ModalType"], new_sku["CubicWeight"]) == ("GLASS", 0.25)
    assert len(after["categories"]) == len(export["categories"])


def test_every_entity_changes_three_times_through_the_incremental_sync(shop: Shop) -> None:
    spec = next(s for s in shop.all_rows("product_specifications") if s["text"] and not s["value_code"])
    rows = {
        "categories": shop.all_rows("categories")[:1],
        "brands": shop.all_rows("brands")[:1],
        "specification_groups": shop.all_rows("specification_groups")[:1],
        "specification_fields": shop.all_rows("specification_fields")[:1],
        "specification_values": shop.all_rows("specification_values")[:1],
        "products": shop.all_rows("products")[:1],
        "product_specifications": [spec],
        "skus": shop.all_rows("skus")[:1],
        "sku_images": shop.all_rows("sku_images")[:1],
    }
    column = {"product_specifications": "text", "sku_images": "label"}
    for n in (1, 2, 3):
        at = AT + timedelta(hours=n)
        for table, table_rows in rows.items():
            shop.change(table, table_rows, at, **{column.get(table, "name"): f"change {n}"})
        summary = sync("catalog", at, 15)
        failed = {k: v for k, v in summary["entities"].items() if v.get("failed")}
        assert not failed, f"change {n}: {failed}"
        export = shop.export()
        assert any(s["Text"] == f"change {n}" for s in export["product_specifications"]), n
        named = ("categories", "brands", "specification_groups", "specification_fields", "products", "skus")
        for kind in named:
            assert any(r["Name"] == f"change {n}" for r in export[kind]), (kind, n)
        assert any(v["Name"] == f"change {n}" for v in export["specification_values"]), n
        assert any(f.get("Label") == f"change {n}" for f in export["sku_files"]), n
    counts = Counter(s["FieldId"] for s in export["product_specifications"] if s["ProductId"])
    assert len(export["product_specifications"]) == sum(counts.values())


def test_a_sku_without_an_image_gets_no_activation_call(shop: Shop) -> None:
    sku = shop.all_rows("skus")[0]
    images = shop.rows("sku_images", [sku["ref_id"]], column="sku_ref_id")
    sku_id = shop.sku_ids()[sku["ref_id"]]
    shop.change("skus", [sku], AT, active=False)
    sync("catalog", AT, 15)
    shop.change("sku_images", images, AT + timedelta(hours=1), active=False)
    sync("catalog", AT + timedelta(hours=1), 15)
    assert not [f for f in shop.export()["sku_files"] if str(f["SkuId"]) == sku_id], "image not removed"

    later = AT + timedelta(hours=2)
    shop.change("skus", [sku], later, active=True)
    summary = sync("catalog", later, 15)
    assert not any(v.get("failed") for v in summary["entities"].values()), summary
    vtex = by(shop.export()["skus"], "RefId")[(sku["ref_id"],)]
    # no activation was sent (VTEX would refuse it); VTEX may activate the SKU itself later
    assert (vtex["IsActive"], vtex["ActivateIfPossible"]) == (False, True)

    shop.reset_stats()
    sync("catalog", later, 15)
    assert shop.writes() == 0, "a SKU that cannot be activated is not sent again every run"

    last = AT + timedelta(hours=3)
    shop.change("sku_images", images, last, active=True)
    shop.reset_stats()
    sync("catalog", last, 15)
    assert by(shop.export()["skus"], "RefId")[(sku["ref_id"],)]["IsActive"] is True
    assert shop.writes() == len(images), "VTEX activates the SKU once its image lands: no SKU call"


def test_removed_specification_values_reach_vtex(shop: Shop) -> None:
    spec = shop.all_rows("sku_specifications")[0]
    sku_id = shop.sku_ids()[spec["sku_ref_id"]]
    before = [s for s in shop.export()["sku_specifications"] if str(s["SkuId"]) == sku_id]
    shop.change("sku_specifications", [spec], AT, active=False)
    product_spec = shop.all_rows("product_specifications")[0]
    shop.change("product_specifications", [product_spec], AT, active=False)
    before_products = shop.export()["product_specifications"]

    sync("catalog", AT, 15)

    after = [s for s in shop.export()["sku_specifications"] if str(s["SkuId"]) == sku_id]
    assert len(after) == len(before) - 1
    assert len(shop.export()["product_specifications"]) == len(before_products) - 1


def test_lost_answers_on_every_create_leave_no_duplicate(shop: Shop) -> None:
    before = shop.export()
    shop.vtex.post("/_sandbox/reset").raise_for_status()
    shop.state.engine.dispose()
    for table in ("bindings", "intents"):
        with shop.state.engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM state_{table}")
    shop.vtex.post("/_sandbox/faults", json={"lost_response": 0.3}).raise_for_status()
    for _attempt in range(4):
        try:
            run_initial_setup()
        except Exception:  # noqa: BLE001 - a failed step is what the next run (or retry) fixes
            pass
    shop.vtex.post("/_sandbox/faults", json={"lost_response": 0}).raise_for_status()
    run_initial_setup()
    run_initial_setup()

    after = shop.export()
    for kind in (
        "categories", "brands", "specification_groups", "specification_fields", "specification_values",
        "products", "skus", "sku_files", "product_specifications", "sku_specifications",
    ):  # fmt: skip
        assert len(after[kind]) == len(before[kind]), f"{kind}: {len(after[kind])} != {len(before[kind])}"


def test_the_ownership_setting_is_checked_and_applied() -> None:
    owned = Ownership.from_setting({"product": {"add": ["tax_code"], "remove": ["description"]}})
    assert "tax_code" in owned.erp_fields(Owned.PRODUCT)
    assert "description" not in owned.erp_fields(Owned.PRODUCT)
    with pytest.raises(OwnershipError, match="product.add: 'tax_kode' is not a field of product"):
        Ownership.from_setting({"product": {"add": ["tax_kode"]}})
    with pytest.raises(OwnershipError, match="unknown entity 'order'"):
        Ownership.from_setting({"order": {"add": []}})


def test_a_create_that_leads_to_another_records_object_binds_to_nothing(shop: Shop) -> None:
    brand = shop.all_rows("brands")[0]
    twin = {**brand, "code": f"{brand['code']}-TWIN"}  # another ERP brand with the very same name
    shop.change("brands", [twin], AT)
    own_id = shop.state.bindings("sandbox", "brand", [brand["code"]])[brand["code"]].vtex_id

    for run in (1, 2):  # the second run must not resolve a leftover intent to the first brand
        with pytest.raises(RecordsFailed) as failed:
            sync("catalog", AT, 15)
        assert failed.value.result["entities"]["brands"]["failed"] == 1, run
        twin_binding = shop.state.bindings("sandbox", "brand", [twin["code"]]).get(twin["code"])
        assert twin_binding is None or twin_binding.vtex_id in (None, ""), run
        assert not [i for i in shop.state.intents("sandbox", "brand") if i.erp_key == twin["code"]], run
    assert shop.state.bindings("sandbox", "brand", [brand["code"]])[brand["code"]].vtex_id == own_id
