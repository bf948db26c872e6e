"""Bad values, degraded per field: a bad EAN or trade-policy list holds back that one record (the
EAN, the trade-policy links) while the rest of the row, with its prices, stock and images, is
written; a dry run counts what the real run then does, bad rows of every kind included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from tests.setup.conftest import Store
from vtex_sync.flows.report import merge
from vtex_sync.state import StateStore

COUNTS = ("planned", "created", "updated", "unchanged", "quarantined", "waiting_parent", "failed")


def skus_of(erp: dict, product: str) -> list[str]:
    return [s["ref_id"] for s in erp["skus"] if s["product_ref_id"] == product]


def spoil(store: Store, erp: dict) -> dict[str, Any]:
    """One bad row of each kind, each on its own product; returns what was spoilt."""
    products = [p["ref_id"] for p in erp["products"]]
    bad = {
        "ean_sku": skus_of(erp, products[1])[0],
        "policy_product": products[2],
        "whole_sku": skus_of(erp, products[3])[0],  # the SKU row itself is invalid
        "image": next(i for i in erp["sku_images"] if i["sku_ref_id"] in skus_of(erp, products[4])),
        "value": erp["sku_specifications"][0]["value_code"],
    }
    statements = (
        ("UPDATE skus SET ean = '1234567890123' WHERE ref_id = :k", bad["ean_sku"]),
        ("UPDATE products SET trade_policies = '1,x' WHERE ref_id = :k", bad["policy_product"]),
        ("UPDATE skus SET packaged_weight_kg = 0 WHERE ref_id = :k", bad["whole_sku"]),
        ("UPDATE specification_values SET name = '" + "v" * 300 + "' WHERE code = :k", bad["value"]),
    )
    with create_engine(store.erp_url).begin() as conn:
        for sql, key in statements:
            conn.execute(text(sql), {"k": key})
        image = bad["image"]
        conn.execute(
            text("UPDATE sku_images SET url = 'ftp://images/x.tif' WHERE sku_ref_id = :s AND position = :p"),
            {"s": image["sku_ref_id"], "p": image["position"]},
        )
    return bad


def test_a_bad_ean_or_trade_policy_list_holds_back_only_that_record(store: Store, erp_data: dict) -> None:
    bad = spoil(store, erp_data)
    totals = merge(store.run())

    assert not any(t.get("failed") for t in totals.values()), totals
    export = store.export()
    sku_ids = {s["RefId"]: s["Id"] for s in export["skus"]}
    product_ids = {p["RefId"]: p["Id"] for p in export["products"]}
    ean_sku = sku_ids[bad["ean_sku"]]  # the SKU is there, with everything but its EAN
    assert not [e for e in export["sku_eans"] if e["SkuId"] == ean_sku]
    assert [p for p in export["prices"] if str(p["itemId"]) == str(ean_sku)]
    assert [i for i in export["inventory"] if str(i["skuId"]) == str(ean_sku)]
    assert [f for f in export["sku_files"] if f["SkuId"] == ean_sku]
    policy_product = product_ids[bad["policy_product"]]  # the product and its SKUs, no links
    assert not [t for t in export["product_trade_policies"] if t["ProductId"] == policy_product]
    assert set(skus_of(erp_data, bad["policy_product"])) <= set(sku_ids)
    assert bad["whole_sku"] not in sku_ids  # a bad row of the SKU itself holds the SKU back

    held = {(q.entity, q.erp_key): q for q in StateStore(store.state_url).open_quarantine("setupshop")}
    ean = held[("skus", bad["ean_sku"])]
    assert (ean.field, ean.value, ean.rule) == ("ean", "1234567890123", "bad_ean")
    assert "only sku_ean is held back" in (ean.message or "")
    assert held[("products", bad["policy_product"])].rule == "bad_trade_policies"
    assert totals["sku"]["quarantined"] == 1  # the invalid SKU row
    assert totals["sku_ean"]["quarantined"] == 1  # the EAN held back

    with create_engine(store.erp_url).begin() as conn:  # the ERP fixes both values
        good_ean = next(s["ean"] for s in erp_data["skus"] if s["ref_id"] == bad["ean_sku"])
        conn.execute(text("UPDATE skus SET ean = :e WHERE ref_id = :k"), {"e": good_ean, "k": bad["ean_sku"]})
        conn.execute(text("UPDATE products SET trade_policies = '1,2' WHERE ref_id = :k"),
                     {"k": bad["policy_product"]})
    store.run()
    export = store.export()
    assert [e["Ean"] for e in export["sku_eans"] if e["SkuId"] == ean_sku] == [good_ean]
    links = sorted(t["StoreId"] for t in export["product_trade_policies"] if t["ProductId"] == policy_product)
    assert links == [1, 2]
    still = {(q.entity, q.erp_key) for q in StateStore(store.state_url).open_quarantine("setupshop")}
    assert ("skus", bad["ean_sku"]) not in still and ("products", bad["policy_product"]) not in still


def test_the_dry_run_counts_what_the_run_does_with_bad_rows_of_every_kind(
    store: Store, erp_data: dict
) -> None:
    spoil(store, erp_data)
    plan = merge(store.run({"dry_run": True}))
    assert store.writes() == 0
    done = merge(store.run())
    assert done["sku_images"].get("waiting_parent"), "the invalid SKU's images wait for it"
    assert done["sku"].get("quarantined") == 1 and done["sku_ean"].get("quarantined") == 1
    for entity, counts in done.items():
        for key in COUNTS:
            assert plan[entity].get(key, 0) == counts.get(key, 0), f"{entity} {key}: plan != run"
