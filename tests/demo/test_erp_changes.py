"""The live demo's ERP changes: each kind shows up, every write is dated `now`, the bad row clears."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vtex_demo.erp_changes import CatalogChanges
from vtex_demo.generator import generate, load_into
from vtex_sync.erp import SqlErp, key_columns, validate_rows
from vtex_sync.erp.validation import PARENTS

BASE = datetime(2026, 11, 30, 10, tzinfo=UTC)


def rows(erp: SqlErp, table: str) -> list[dict]:
    return [row for chunk in erp.read(table) for row in chunk]


def test_generator_dates_rows_from_the_base_time_given():
    data = generate("tiny", seed=1, base_time=BASE)
    stamps = [row["updated_at"] for table in data.values() for row in table]
    assert min(stamps) > BASE and max(stamps) < BASE + timedelta(hours=1)
    assert generate("tiny", seed=1, base_time=BASE) == data


def test_changes_cover_every_kind_within_fifteen_steps_and_clear_the_bad_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'erp.db'}"
    load_into(url, generate("tiny", seed=1, base_time=BASE))
    erp = SqlErp(url)
    changes = CatalogChanges(erp, seed=3)
    skus_before = {row["ref_id"] for row in rows(erp, "skus")}
    done: dict[str, int] = {}
    now = BASE + timedelta(hours=2)
    for n in range(15):
        tick = now + timedelta(seconds=20 * n)
        for kind, count in changes.step(tick).items():
            done[kind] = done.get(kind, 0) + count
        if changes.bad_stock is not None:
            bad = [r for r in rows(erp, "stock") if r["quantity"] < 0]
            assert len(bad) == 1 and bad[0]["updated_at"] == tick
            assert validate_rows("stock", bad).quarantined  # the sync quarantines it, naming the field
    for kind in ("prices", "stock", "customers", "products", "new_skus", "deactivated_skus", "new_customers",
                 "bad_rows"):
        assert done.get(kind, 0) >= 1, (kind, done)
    assert changes.bad_stock is not None or done.get("fixed_rows") == 1
    new_skus = {row["ref_id"] for row in rows(erp, "skus")} - skus_before
    assert len(new_skus) == done["new_skus"]
    for sku in new_skus:  # a complete SKU: specifications, image, price and stock in both warehouses
        assert len([s for s in rows(erp, "sku_specifications") if s["sku_ref_id"] == sku]) == 2
        assert [i for i in rows(erp, "sku_images") if i["sku_ref_id"] == sku]
        assert [p for p in rows(erp, "prices") if p["sku_ref_id"] == sku]
        assert len([s for s in rows(erp, "stock") if s["sku_ref_id"] == sku]) == 2
    data = {table: rows(erp, table) for table in ("skus", "sku_specifications", "products",
                                                  "specification_values", "customers", "customer_addresses")}
    known = {t: {"|".join(str(r[c]) for c in key_columns(t)) for r in rs} for t, rs in data.items()}
    for table in ("skus", "sku_specifications", "customers"):
        needed = set(PARENTS.get(table, {}).values())
        result = validate_rows(table, data[table], known={t: known[t] for t in needed if t in known})
        assert result.quarantined == [], table
    changed = [r for t in ("prices", "stock", "products", "customers") for r in rows(erp, t)
               if r["updated_at"] > now]
    assert changed and all(r["updated_at"] <= now + timedelta(seconds=20 * 14) for r in changed)
