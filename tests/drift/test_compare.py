"""The field comparison: what counts as drift and what does not."""

from __future__ import annotations

from vtex_sync.drift.compare import MISSING, compare_fields, compare_inventory, compare_price


def test_empty_and_none_match_and_numbers_compare_by_value() -> None:
    erp = {"Name": " Shirt ", "Description": "", "PackagedHeight": 10, "IsActive": True}
    vtex = {"Name": "Shirt", "Description": None, "PackagedHeight": 10.0, "IsActive": True}
    assert compare_fields(erp, vtex, erp) == []
    drift = compare_fields(erp, {**vtex, "IsActive": False}, erp)
    assert [(d.field, d.erp, d.vtex) for d in drift] == [("IsActive", "True", "False")]


def test_fixed_prices_are_matched_by_trade_policy_and_minimum_quantity() -> None:
    fixed = {"tradePolicyId": "1", "value": 9.5, "listPrice": None, "minQuantity": 1}
    erp = {"basePrice": 10, "fixedPrices": [fixed]}
    assert compare_price(erp, {"basePrice": 10.0, "fixedPrices": [fixed]}) == []
    drift = compare_price(erp, {"basePrice": 10.0, "fixedPrices": []})
    assert [(d.field, d.vtex) for d in drift] == [("fixedPrices[tradePolicy 1, min 1]", MISSING)]
    assert compare_price(erp, None)[0].vtex == MISSING


def test_unlimited_stock_ignores_the_quantity() -> None:
    erp = {"quantity": 0, "unlimitedQuantity": True}
    assert compare_inventory(erp, {"totalQuantity": 5, "hasUnlimitedQuantity": True}) == []
    drift = compare_inventory({"quantity": 3, "unlimitedQuantity": False}, {"totalQuantity": 5})
    assert [(d.field, d.erp, d.vtex) for d in drift] == [("quantity", "3", "5")]
