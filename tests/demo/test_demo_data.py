"""Demo ERP data generator and ERP simulator."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from vtex_demo.erp_simulator import ErpSimulator
from vtex_demo.generator import generate, load_into, main
from vtex_sync.erp import FileErp, SqlErp, key_columns, validate_rows
from vtex_sync.erp.validation import PARENTS


def test_same_seed_same_data_other_seed_other_data():
    assert generate("tiny", seed=7) == generate("tiny", seed=7)
    assert generate("tiny", seed=7)["skus"] != generate("tiny", seed=8)["skus"]


def test_tiny_data_validates_cleanly_including_every_reference():
    data = generate("tiny", seed=1)
    known = {table: {"|".join(str(row[c]) for c in key_columns(table)) for row in rows}
             for table, rows in data.items()}
    for table, rows in data.items():
        needed = {parent for parent in PARENTS.get(table, {}).values()}
        result = validate_rows(table, rows, known={t: known[t] for t in needed})
        assert result.quarantined == [], table
        assert len(result.valid) == len(rows)


def test_tiny_shape_is_realistic():
    data = generate("tiny", seed=1)
    departments = [c for c in data["categories"] if c["parent_code"] is None]
    assert len(departments) == 3
    depth = {c["code"]: c["code"].count("-") for c in data["categories"]}
    assert set(depth.values()) == {0, 1, 2}
    assert len(data["products"]) == 10 and 10 <= len(data["skus"]) <= 60
    assert len(data["customers"]) == 5
    per_product = Counter(s["product_ref_id"] for s in data["skus"])
    assert all(1 <= n <= 6 for n in per_product.values())
    variant_specs = defaultdict(set)
    spec_by_sku = defaultdict(dict)
    for spec in data["sku_specifications"]:
        spec_by_sku[spec["sku_ref_id"]][spec["field_code"]] = spec["value_code"]
    for sku in data["skus"]:
        combo = (spec_by_sku[sku["ref_id"]]["F-COLOUR"], spec_by_sku[sku["ref_id"]]["F-SIZE"])
        assert combo not in variant_specs[sku["product_ref_id"]]
        variant_specs[sku["product_ref_id"]].add(combo)
    urls = [img["url"] for img in data["sku_images"]]
    assert all(url.startswith("https://") and url.endswith(".jpg") for url in urls)
    assert {fp["trade_policy_id"] for fp in data["fixed_prices"]} == {"2"}
    assert {s["warehouse_code"] for s in data["stock"]} == {"WH-SP", "WH-RJ"}
    addresses = Counter(a["customer_code"] for a in data["customer_addresses"])
    assert set(addresses) == {c["code"] for c in data["customers"]} and set(addresses.values()) <= {1, 2}
    stamps = [row["updated_at"] for rows in data.values() for row in rows]
    assert len(set(stamps)) == len(stamps) and all(s.tzinfo is not None for s in stamps)


def test_bench_size_is_quick_to_generate():
    started = time.perf_counter()
    data = generate("bench", seed=0)
    assert time.perf_counter() - started < 30
    assert len(data["products"]) == 2000 and 6000 <= len(data["skus"]) <= 9000
    assert len(generate(25)["products"]) == 25


def test_cli_writes_sql_and_files(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'erp.db'}"
    assert main(["--size", "tiny", "--seed", "2", "--url", url]) == 0
    assert SqlErp(url).count("products") == 10
    assert main(["--size", "12", "--format", "parquet", "--out", str(tmp_path / "drop")]) == 0
    assert FileErp(tmp_path / "drop", format="parquet").count("products") == 12
    assert "products=12" in capsys.readouterr().out


# ---------------------------------------------------------------- ERP simulator
T0 = datetime(2024, 6, 1, 12, tzinfo=UTC)


def place_orders(erp: SqlErp, count: int) -> None:
    for n in range(count):
        order_id = f"14{n:05d}-01"
        erp.upsert_sales_order(
            {"vtex_order_id": order_id, "total_cents": 3000, "received_at": T0, "updated_at": T0,
             "vtex_status": "ready-for-handling"},
            [{"sku_ref_id": "P00001-01", "quantity": 2, "unit_price_cents": 1000},
             {"sku_ref_id": "P00002-01", "quantity": 1, "unit_price_cents": 1000}],
            {"email": f"c{n}@example.com"},
        )


def run_simulator(tmp_path, name, seed=5, **options):
    erp = SqlErp(f"sqlite:///{tmp_path / name}", create_schema=True)
    place_orders(erp, 20)
    simulator = ErpSimulator(erp, seed=seed, **options)
    reports = [simulator.step(T0 + timedelta(minutes=minute)) for minute in (0, 3, 10, 30, 60, 90, 120)]
    return erp, reports


def test_simulator_invoices_received_orders(tmp_path):
    erp, reports = run_simulator(tmp_path, "a.db", change_rate=0, cancel_rate=0)
    assert reports[0]["coded"] == 20 and reports[0]["invoiced"] == 0  # not yet: invoice_after
    invoices = [row for chunk in erp.read("invoices") for row in chunk]
    assert len(invoices) == 20
    assert all(inv["value_cents"] == 3000 and inv["sync_status"] == "pending" for inv in invoices)
    items = [row for chunk in erp.read("invoice_items") for row in chunk]
    assert sum(item["quantity"] for item in items) == 60
    assert erp.count("shipments") == 20 and erp.count("tracking_events") >= 20
    statuses = {row["status"] for chunk in erp.read("sales_orders") for row in chunk}
    assert statuses <= {"shipped", "delivered"}
    assert sum(r["delivered"] for r in reports) == 20


def test_simulator_changes_cancellations_and_determinism(tmp_path):
    erp, reports = run_simulator(tmp_path, "b.db", change_rate=0.3, cancel_rate=0.2)
    _, again = run_simulator(tmp_path, "c.db", change_rate=0.3, cancel_rate=0.2)
    assert reports == again
    changes = erp.pending_changes()
    assert changes and all(c["items"][0]["op"] == "remove" for c in changes)
    changed_orders = {c["vtex_order_id"] for c in changes}
    invoiced = {row["vtex_order_id"] for chunk in erp.read("invoices") for row in chunk}
    assert not changed_orders & invoiced  # waits until VTEX confirms the change
    cancelled = erp.pending_cancellations()
    assert cancelled and all(c["decided_by"] == "erp" and c["decision"] == "accept" for c in cancelled)
    for change in changes:
        erp.mark_sync("order_changes", change["change_code"], "confirmed")
    ErpSimulator(erp, seed=5).step(T0 + timedelta(hours=3))
    values = {row["vtex_order_id"]: row["value_cents"] for chunk in erp.read("invoices") for row in chunk}
    assert all(values[order_id] == 2000 for order_id in changed_orders)


def test_simulator_answers_shopper_cancellations(tmp_path):
    erp = SqlErp(f"sqlite:///{tmp_path / 'd.db'}", create_schema=True)
    place_orders(erp, 2)
    simulator = ErpSimulator(erp, seed=1, change_rate=0, cancel_rate=0)
    simulator.step(T0 + timedelta(minutes=5))  # both invoiced
    late_order = {"vtex_order_id": "1500000-01", "total_cents": 100, "received_at": T0 + timedelta(minutes=5)}
    erp.upsert_sales_order(late_order, [{"sku_ref_id": "S", "quantity": 1, "unit_price_cents": 100}], None)
    erp.request_cancellation("1400000-01", "too late")
    erp.request_cancellation("1500000-01", "changed my mind")
    simulator.step(T0 + timedelta(minutes=6))
    decisions = {c["vtex_order_id"]: c["decision"] for c in erp.pending_cancellations()}
    assert decisions == {"1400000-01": "deny", "1500000-01": "accept"}
    assert erp.get_sales_order("1500000-01")["status"] == "canceled"


def test_generated_data_loads_into_sql(tmp_path):
    data = generate("tiny", seed=4)
    counts = load_into(f"sqlite:///{tmp_path / 'e.db'}", data)
    assert counts == {table: len(rows) for table, rows in data.items()}
