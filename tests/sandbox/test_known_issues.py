"""Fault knobs modelled on VTEX's published known issues (../shared/vtex-known-issues/)."""

from __future__ import annotations

import httpx

from tests.sandbox import vtex_bodies as vb
from vtex_sandbox.cli import build_parser, config_from_args

SKU_URL = "/api/catalog/pvt/stockkeepingunit"


def test_image_applied_although_the_call_failed_duplicates_on_a_blind_retry(strict: httpx.Client) -> None:
    """Catalog known issue "SKU Insert File API may generate duplicate images if it fails"."""
    sku = vb.catalog(strict)["sku"]
    vb.ok(strict.post("/_sandbox/faults", json={"image_applied_error": 1.0}))
    failed = strict.post(f"{SKU_URL}/{sku}/file", json=vb.IMAGE)
    assert failed.status_code == 500
    vb.ok(strict.post("/_sandbox/faults", json={"image_applied_error": 0}))
    vb.ok(strict.post(f"{SKU_URL}/{sku}/file", json=vb.IMAGE))  # the blind retry
    files = vb.ok(strict.get(f"{SKU_URL}/{sku}/file"))
    assert [f["Url"] for f in files] == [vb.IMAGE["Url"]] * 2


def test_stock_put_applied_although_it_answered_500(strict: httpx.Client) -> None:
    """Logistics known issue on inventory updates: a failed save is completed by a worker anyway."""
    sku = vb.catalog(strict)["sku"]
    vb.stock_place(strict)
    url = f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/wh1"
    vb.ok(strict.post("/_sandbox/faults", json={"stock_applied_500": 1.0}))
    assert strict.put(url, json={"quantity": 42, "unlimitedQuantity": False}).status_code == 500
    vb.ok(strict.post("/_sandbox/faults", json={"stock_applied_500": 0}))
    balance = vb.ok(strict.get(f"/api/logistics/pvt/inventory/skus/{sku}"))["balance"]
    assert [b["totalQuantity"] for b in balance] == [42]


def test_case_sensitive_warehouse_ids(strict: httpx.Client) -> None:
    """Logistics known issue "Inventory divergence in UI x API due to warehouse id being case
    sensitive": POST warehouse "test" next to "TEST" creates a second warehouse, while inventory
    ignores case, so both show the same stock."""
    sku = vb.catalog(strict)["sku"]
    vb.stock_place(strict, "TEST")
    vb.ok(strict.post("/_sandbox/faults", json={"case_sensitive_warehouses": True}))
    vb.ok(strict.put(f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/TEST", json={"quantity": 122}))
    vb.ok(strict.post("/api/logistics/pvt/configuration/warehouses", json=vb.warehouse("test")))
    ids = sorted(w["id"] for w in vb.ok(strict.get("/api/logistics/pvt/configuration/warehouses")))
    assert ids == ["TEST", "test"]
    balance = vb.ok(strict.get(f"/api/logistics/pvt/inventory/skus/{sku}"))["balance"]
    assert sorted((b["warehouseId"], b["totalQuantity"]) for b in balance) == [("TEST", 122), ("test", 122)]
    vb.ok(strict.put(f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/test", json={"quantity": 5}))
    item = vb.ok(strict.get(f"/api/logistics/pvt/inventory/items/{sku}/warehouses/TEST"))
    assert item[0]["totalQuantity"] == 5


def test_without_the_knob_warehouse_ids_are_exact(strict: httpx.Client) -> None:
    sku = vb.catalog(strict)["sku"]
    vb.stock_place(strict, "TEST")
    vb.ok(strict.post("/api/logistics/pvt/configuration/warehouses", json=vb.warehouse("test")))
    vb.ok(strict.put(f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/TEST", json={"quantity": 122}))
    balance = vb.ok(strict.get(f"/api/logistics/pvt/inventory/skus/{sku}"))["balance"]
    assert [(b["warehouseId"], b["totalQuantity"]) for b in balance] == [("TEST", 122)]


def test_knobs_are_command_line_flags() -> None:
    args = build_parser().parse_args([
        "--fault-image-applied-error", "0.2", "--fault-stock-applied-500", "0.3",
        "--fault-inventory-lock", "0.1",
        "--case-sensitive-warehouses", "--bulk-rows-per-second", "50", "--bulk-upload-expiry", "60",
    ])  # fmt: skip
    config = config_from_args(args)
    faults = (config.fault_image_applied_error, config.fault_stock_applied_500, config.fault_inventory_lock)
    assert faults == (0.2, 0.3, 0.1)
    assert config.case_sensitive_warehouses is True
    assert (config.bulk_rows_per_second, config.bulk_upload_expiry_s) == (50, 60)
