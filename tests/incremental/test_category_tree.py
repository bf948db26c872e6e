"""The category tree in an incremental catalog sync: checked once, against the id map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.incremental.conftest import ACCOUNT, Shop
from vtex_sync.airflow.sync_tasks import run_sync

CHANGED_AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


def sync_catalog() -> dict:
    start = CHANGED_AT.replace(minute=0, second=0, microsecond=0)
    return run_sync("catalog", {}, start=start, end=start + timedelta(minutes=15))


def test_a_changed_sub_category_whose_parent_did_not_change_is_updated(shop: Shop) -> None:
    categories = shop.all_rows("categories")
    child = next(c for c in categories if c["parent_code"] and c["code"].count("-") == 2)
    shop.change("categories", [child], CHANGED_AT, name="Renamed sub-category")
    before = {c["Id"]: c for c in shop.export()["categories"]}

    summary = sync_catalog()

    after = {c["Id"]: c for c in shop.export()["categories"]}
    changed = {i for i in after if after[i] != before.get(i)}
    assert len(changed) == 1
    (vtex_id,) = changed
    assert after[vtex_id]["Name"] == "Renamed sub-category"
    assert after[vtex_id]["FatherCategoryId"] == before[vtex_id]["FatherCategoryId"] is not None
    assert summary["entities"]["categories"]["updated"] == 1
    assert summary["entities"]["categories"].get("quarantined", 0) == 0
    assert shop.state.open_quarantine(ACCOUNT, "categories") == []
    assert shop.writes() == 1


def test_a_sub_category_under_a_parent_unknown_everywhere_is_quarantined(shop: Shop) -> None:
    child = next(c for c in shop.all_rows("categories") if c["parent_code"])
    shop.change("categories", [child], CHANGED_AT, parent_code="NO-SUCH-PARENT")

    summary = sync_catalog()

    assert summary["entities"]["categories"]["quarantined"] == 1
    (entry,) = shop.state.open_quarantine(ACCOUNT, "categories")
    assert (entry.erp_key, entry.field, entry.value, entry.rule) == (
        child["code"], "parent_code", "NO-SUCH-PARENT", "unknown_parent")
    assert shop.writes() == 0
