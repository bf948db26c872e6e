"""Row and batch validation: each kind of bad row is quarantined with its rule, the rest go on."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from vtex_sync.erp import check_category_tree, validate_rows
from vtex_sync.erp.models import Category

STAMP = datetime(2024, 3, 1, tzinfo=UTC)


def sku(ref="S1", **overrides):
    row = {"ref_id": ref, "product_ref_id": "P1", "ean": "4006381333931", "name": "Shirt Blue M",
           "packaged_height": 3, "packaged_width": 20, "packaged_length": 30, "packaged_weight_kg": 250,
           "updated_at": STAMP}
    return {**row, **overrides}


def category(code, parent=None, name=None):
    return {"code": code, "parent_code": parent, "name": name or f"Category {code}", "updated_at": STAMP}


def only_entry(result, key):
    entries = [e for e in result.quarantined if e.key == key]
    assert len(entries) == 1, result.quarantined
    return entries[0]


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"name": None}, "name", "missing_value"),
        ({"packaged_weight_kg": -1}, "packaged_weight_kg", "negative"),
        ({"packaged_weight_kg": 0}, "packaged_weight_kg", "out_of_range"),
        ({"name": "x" * 201}, "name", "too_long"),
        ({"ref_id": "R" * 51}, "ref_id", "too_long"),
    ],
)
def test_bad_sku_rows_are_quarantined_and_the_rest_go_on(overrides, field, rule):
    bad = sku("BAD", **overrides)
    result = validate_rows("skus", [sku("S1"), bad, sku("S2", ean=None)])
    assert [s.ref_id for s in result.valid] == ["S1", "S2"]
    entry = result.quarantined[0]
    assert (entry.table, entry.field, entry.rule) == ("skus", field, rule)
    assert len(result.quarantined) == 1


@pytest.mark.parametrize("ean", ["4006381333932", "12345"])
def test_a_bad_ean_holds_back_only_the_ean(ean):
    result = validate_rows("skus", [sku("S1"), sku("BAD", ean=ean)])
    assert [s.ref_id for s in result.valid] == ["S1", "BAD"]
    held = result.valid[1]
    assert (held.ean, held.held, result.valid[0].held) == (None, {"ean"}, frozenset())
    entry = only_entry(result, "BAD")
    assert (entry.field, entry.value, entry.rule, entry.held_back) == ("ean", ean, "bad_ean", "sku_ean")
    assert "only sku_ean is held back" in entry.message


def test_a_bad_trade_policy_list_holds_back_only_the_links():
    row = {"ref_id": "P1", "category_code": "C", "brand_code": "B", "name": "Shirt", "trade_policies": "1;2",
           "updated_at": STAMP}
    result = validate_rows("products", [row])
    assert result.valid[0].held == {"trade_policies"}
    assert only_entry(result, "P1").held_back == "product_trade_policy"


def test_a_bad_ean_beside_another_bad_value_holds_back_the_whole_row():
    result = validate_rows("skus", [sku("BAD", ean="12345", packaged_weight_kg=0)])
    assert not result.valid and only_entry(result, "BAD").held_back is None


def test_missing_field():
    row = sku("S9")
    del row["packaged_length"]
    entry = only_entry(validate_rows("skus", [row]), "S9")
    assert (entry.field, entry.rule) == ("packaged_length", "missing_field")


def test_valid_eans_of_every_length_pass():
    rows = [sku(f"S{n}", ean=ean) for n, ean in enumerate(["96385074", "036000291452", "4006381333931",
                                                             "10012345678902"])]
    assert len(validate_rows("skus", rows).valid) == 4


def test_prices_must_be_non_negative_with_two_decimals():
    rows = [
        {"sku_ref_id": "S1", "base_price": "10.5", "updated_at": STAMP},
        {"sku_ref_id": "S2", "base_price": "-1.00", "updated_at": STAMP},
        {"sku_ref_id": "S3", "base_price": "1.005", "updated_at": STAMP},
    ]
    result = validate_rows("prices", rows)
    assert [p.base_price for p in result.valid] == [Decimal("10.50")]
    assert str(result.valid[0].base_price) == "10.50"
    assert {e.key: e.rule for e in result.quarantined} == {"S2": "negative", "S3": "decimal_scale"}


def test_text_is_nfc_normalised_and_stripped():
    decomposed = unicodedata.normalize("NFD", "  Calçados Esportivos \t")
    [brand] = validate_rows("brands", [{"code": " B1 ", "name": decomposed, "title": "  ",
                                        "updated_at": STAMP}]).valid
    assert brand.code == "B1"
    assert brand.name == "Calçados Esportivos" and unicodedata.is_normalized("NFC", brand.name)
    assert brand.title is None


def test_image_urls_and_lead_times_are_checked():
    def image(position, url):
        return {"sku_ref_id": "S1", "position": position, "url": url, "name": f"i{position}",
                "updated_at": STAMP}

    images = validate_rows("sku_images", [
        image(1, "https://cdn.example.com/a.JPG"),
        image(2, "ftp://cdn.example.com/a.jpg"),
        image(3, "https://cdn.example.com/a.webp"),
    ])
    assert [i.position for i in images.valid] == [1]
    assert {e.rule for e in images.quarantined} == {"bad_url"}

    def stock_row(ref, lead_time):
        return {"sku_ref_id": ref, "warehouse_code": "W1", "quantity": 3, "lead_time": lead_time,
                "updated_at": STAMP}

    stock = validate_rows("stock", [stock_row("S1", "1.00:00:00"), stock_row("S2", "25:00:00")])
    assert [s.sku_ref_id for s in stock.valid] == ["S1"]
    assert stock.quarantined[0].rule == "bad_lead_time"


def test_duplicate_keys_in_a_batch_are_all_quarantined():
    result = validate_rows("skus", [sku("S1"), sku("S1", name="Other"), sku("S2")])
    assert [s.ref_id for s in result.valid] == ["S2"]
    assert [e.rule for e in result.quarantined] == ["duplicate_key", "duplicate_key"]


def test_unknown_parent_checked_only_when_known_keys_are_given():
    rows = [sku("S1", product_ref_id="P1"), sku("S2", product_ref_id="P404")]
    assert len(validate_rows("skus", rows).valid) == 2
    result = validate_rows("skus", rows, known={"products": {"P1"}})
    assert [s.ref_id for s in result.valid] == ["S1"]
    entry = only_entry(result, "S2")
    assert (entry.field, entry.value, entry.rule) == ("product_ref_id", "P404", "unknown_parent")


def test_category_tree_orders_parents_first_and_quarantines_orphans_and_cycles():
    rows = [
        category("C3", "C2"), category("C2", "C1"), category("C1"),
        category("X1", "MISSING"), category("X2", "X1"),
        category("Y1", "Y2"), category("Y2", "Y1"), category("Y3", "Y2"),
        category("K1", "VTEX-ONLY"),
    ]
    result = validate_rows("categories", rows, known={"categories": {"VTEX-ONLY"}})
    order = [c.code for c in result.valid]
    assert set(order) == {"C1", "C2", "C3", "K1"}
    assert order.index("C1") < order.index("C2") < order.index("C3")
    rules = {e.key: e.rule for e in result.quarantined}
    assert rules == {"X1": "unknown_parent", "X2": "unknown_parent", "Y1": "category_cycle",
                     "Y2": "category_cycle", "Y3": "category_cycle"}


def test_check_category_tree_on_models_directly():
    cats = [Category.model_validate(category(code, parent)) for code, parent in
            [("B", "A"), ("A", None), ("S", "S")]]
    ordered, problems = check_category_tree(cats)
    assert [c.code for c in ordered] == ["A", "B"]
    assert [(p.key, p.rule) for p in problems] == [("S", "category_cycle")]
