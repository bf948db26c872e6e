"""Reading ERP rows by key (what pending records and complete prices need) and guard arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from vtex_demo.generator import generate
from vtex_sync.erp.files import FileErp, write_drop
from vtex_sync.erp.sql import SqlErp
from vtex_sync.erp.validation import row_key
from vtex_sync.flows.guard import BlastRadiusExceeded, enforce, share_breach

TABLES = ("stock", "fixed_prices", "prices")


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    tiny = generate("tiny")
    return {table: tiny[table] for table in TABLES}


@pytest.fixture(params=["sql", "csv", "parquet"])
def erp(request: pytest.FixtureRequest, tmp_path: Path, data: dict) -> SqlErp | FileErp:
    if request.param == "sql":
        erp = SqlErp(f"sqlite:///{tmp_path / 'erp.db'}", create_schema=True)
        for table, rows in data.items():
            erp.upsert_rows(table, rows)
        return erp
    write_drop(tmp_path, data, request.param)
    return FileErp(tmp_path, format=request.param)


def test_read_keys_finds_rows_by_composite_key(erp: SqlErp | FileErp, data: dict) -> None:
    wanted = [row_key("stock", row) for row in data["stock"][3:9:2]]
    found = erp.read_keys("stock", wanted + ["NO-SUCH-SKU|WH-SP"])
    assert sorted(row_key("stock", row) for row in found) == sorted(wanted)


def test_read_keys_by_column_returns_every_row_of_those_values(erp: SqlErp | FileErp, data: dict) -> None:
    skus = {data["fixed_prices"][0]["sku_ref_id"], data["fixed_prices"][-1]["sku_ref_id"]}
    found = erp.read_keys("fixed_prices", skus, column="sku_ref_id")
    expected = [row for row in data["fixed_prices"] if row["sku_ref_id"] in skus]
    keys = sorted(row_key("fixed_prices", r) for r in found)
    assert len(expected) >= 2 and keys == sorted(row_key("fixed_prices", r) for r in expected)
    assert erp.read_keys("prices", []) == []


def test_share_breach_is_relative_to_what_vtex_holds() -> None:
    assert share_breach("zeroed", 3, 100, 0.2) is None
    assert share_breach("zeroed", 5, 0, 0.2) is None  # nothing in VTEX yet: nothing to protect
    breach = share_breach("zeroed", 30, 100, 0.2)
    assert breach is not None and str(breach) == "zeroed: 30 of 100 (30%), limit 20%"


def test_enforce_raises_with_the_numbers_unless_confirmed() -> None:
    breach = share_breach("products deactivated", 9, 10, 0.1)
    with pytest.raises(BlastRadiusExceeded, match=r"9 of 10 \(90%\).*confirm_blast_radius"):
        enforce("catalog", [None, breach], confirm=False)
    enforce("catalog", [breach], confirm=True)
    enforce("catalog", [None], confirm=False)
