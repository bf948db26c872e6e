"""What the ERP drops reaches VTEX once: a trade policy taken off a product, specification and
image rows deleted outright; what the ERP holds back or never made (a bad trade-policy list, a
store's own image) is left alone. Each test drives the incremental sync over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException
from sqlalchemy import text

from tests.incremental.conftest import ACCOUNT, Shop
from tests.incremental.test_incremental_sync import sync

AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


def links(shop: Shop, product_id: int) -> list[int]:
    rows = shop.export()["product_trade_policies"]
    return sorted(int(r["StoreId"]) for r in rows if int(r["ProductId"]) == product_id)


def product_id(shop: Shop, ref_id: str) -> int:
    return next(int(p["Id"]) for p in shop.export()["products"] if p["RefId"] == ref_id)


def delete(shop: Shop, table: str, row: dict[str, Any], *columns: str) -> None:
    where = " AND ".join(f"{c} = :{c}" for c in columns)
    with shop.erp.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table} WHERE {where}"), {c: row[c] for c in columns})


def test_a_trade_policy_taken_off_a_product_is_removed_in_vtex_once(shop: Shop) -> None:
    product = shop.all_rows("products")[0]
    pid = product_id(shop, product["ref_id"])
    assert links(shop, pid) == [1, 2]

    shop.change("products", [product], AT, trade_policies="1")
    summary = sync("catalog", AT, 15)

    assert links(shop, pid) == [1]
    assert summary["entities"]["product_trade_policies"]["removed"] == 1
    shop.reset_stats()
    sync("catalog", AT, 15)
    assert shop.writes() == 0, "a link is removed once, not every run"

    later = AT + timedelta(hours=1)
    shop.change("products", [product], later, trade_policies="1,2")
    sync("catalog", later, 15)
    assert links(shop, pid) == [1, 2], "a trade policy put back is linked again"


def test_a_bad_trade_policy_list_holds_back_the_links_and_the_product_change_lands(shop: Shop) -> None:
    product = shop.all_rows("products")[0]
    pid = product_id(shop, product["ref_id"])
    shop.change("products", [product], AT, trade_policies="1;3", name="Renamed in the ERP")

    summary = sync("catalog", AT, 15)

    assert not summary["failures"], summary
    assert links(shop, pid) == [1, 2], "held back: neither removed nor replaced"
    vtex = next(p for p in shop.export()["products"] if int(p["Id"]) == pid)
    assert vtex["Name"] == "Renamed in the ERP"
    held = {(q.entity, q.erp_key): q for q in shop.state.open_quarantine(ACCOUNT)}
    assert held[("products", product["ref_id"])].rule == "bad_trade_policies"
    assert summary["entities"]["product_trade_policies"]["quarantined"] == 1


def test_a_bad_ean_on_a_sku_holds_back_the_ean_and_the_sku_change_lands(shop: Shop) -> None:
    sku = next(s for s in shop.all_rows("skus") if s["ean"])
    sku_id = int(shop.sku_ids()[sku["ref_id"]])
    shop.change("skus", [sku], AT, ean="12345", name="Renamed SKU")

    summary = sync("catalog", AT, 15)

    assert not summary["failures"], summary
    export = shop.export()
    assert next(s for s in export["skus"] if int(s["Id"]) == sku_id)["Name"] == "Renamed SKU"
    assert [e["Ean"] for e in export["sku_eans"] if int(e["SkuId"]) == sku_id] == [sku["ean"]]
    entry = {(q.entity, q.erp_key): q for q in shop.state.open_quarantine(ACCOUNT)}[("skus", sku["ref_id"])]
    assert (entry.field, entry.value, entry.rule) == ("ean", "12345", "bad_ean")

    later = AT + timedelta(hours=1)
    shop.change("skus", [sku], later, name="Renamed SKU")  # the ERP fixes the EAN
    sync("catalog", later, 15)
    assert ("skus", sku["ref_id"]) not in {(q.entity, q.erp_key) for q in shop.state.open_quarantine(ACCOUNT)}


def test_specification_and_image_rows_deleted_from_the_erp_are_removed_in_vtex_once(shop: Shop) -> None:
    product_spec = shop.all_rows("product_specifications")[0]
    sku_spec = shop.all_rows("sku_specifications")[0]
    image = shop.all_rows("sku_images")[0]
    ids = shop.sku_ids()
    image_sku = int(ids[image["sku_ref_id"]])
    # an image the store added in VTEX itself, on the same SKU: never the ERP's to remove
    own = {"Name": "store-photo", "Url": "https://cdn.example.com/store-photo.jpg", "IsMain": False}
    shop.vtex.post(f"/api/catalog/pvt/stockkeepingunit/{image_sku}/file", json=own).raise_for_status()
    before = shop.export()
    delete(shop, "product_specifications", product_spec, "product_ref_id", "field_code", "value_code")
    delete(shop, "sku_specifications", sku_spec, "sku_ref_id", "field_code")
    delete(shop, "sku_images", image, "sku_ref_id", "position")
    shop.reset_stats()

    summary = sync("catalog", AT, 15)  # a window in which nothing changed

    after = shop.export()
    assert len(after["product_specifications"]) == len(before["product_specifications"]) - 1
    assert len(after["sku_specifications"]) == len(before["sku_specifications"]) - 1
    gone = [f for f in before["sku_files"] if f not in after["sku_files"]]
    assert [(int(f["SkuId"]), f["Name"]) for f in gone] == [(image_sku, image["name"])]
    assert any(f["Name"] == "store-photo" for f in after["sku_files"]), "the store's own image stays"
    spec_sku = int(ids[sku_spec["sku_ref_id"]])
    left = [s for s in shop.all_rows("sku_specifications") if s["sku_ref_id"] == sku_spec["sku_ref_id"]]
    assert len([s for s in after["sku_specifications"] if int(s["SkuId"]) == spec_sku]) == len(left)
    assert shop.writes() == 3
    for entity in ("product_specification", "sku_specification", "sku_image"):
        assert summary["entities"][f"{entity}_removed"]["removed"] == 1, entity

    shop.reset_stats()
    sync("catalog", AT, 15)
    assert shop.writes() == 0, "a deleted row is removed once, not every run"

    later = AT + timedelta(hours=1)  # the rows come back
    shop.change("product_specifications", [product_spec], later)
    shop.change("sku_specifications", [sku_spec], later)
    shop.change("sku_images", [image], later)
    sync("catalog", later, 15)
    again = shop.export()
    for kind in ("product_specifications", "sku_specifications"):
        assert len(again[kind]) == len(before[kind]), kind
    assert any(int(f["SkuId"]) == image_sku and f["Name"] == image["name"] for f in again["sku_files"])


def test_the_guard_stops_a_run_after_most_images_were_deleted(shop: Shop) -> None:
    with shop.erp.engine.begin() as conn:
        conn.execute(text("DELETE FROM sku_images"))
    before = len(shop.export()["sku_files"])

    with pytest.raises(AirflowFailException, match="sku_images deleted from the ERP"):
        sync("catalog", AT, 15)
    assert shop.writes() == 0
    assert len(shop.export()["sku_files"]) == before
