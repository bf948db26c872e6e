"""SqlErp (SQLite and PostgreSQL) and FileErp (CSV and Parquet): round trips, windows, chunks, orders."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from vtex_demo.generator import generate, load_into
from vtex_sync.erp import (
    FileErp,
    SqlErp,
    erp_from_connection,
    erp_from_extra,
    erp_from_url,
    key_columns,
    write_drop,
)


@pytest.fixture(scope="module")
def data():
    return generate("tiny", seed=3)


@pytest.fixture(params=["sqlite", "postgresql", "csv", "parquet"])
def erp(request, data, tmp_path):
    """The tiny demo data behind each adapter/backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'erp.db'}"
        load_into(url, data)
        yield SqlErp(url)
    elif request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        load_into(url, data)
        adapter = SqlErp(url)
        yield adapter
        adapter.engine.dispose()
    else:
        write_drop(tmp_path / "drop", data, request.param)
        yield FileErp(tmp_path / "drop", format=request.param)


def by_key(table, rows):
    return {tuple(row[c] for c in key_columns(table)): row for row in rows}


def read_all(erp, table, **kwargs):
    return [row for chunk in erp.read(table, **kwargs) for row in chunk]


def test_round_trip_keeps_every_row_and_value(erp, data):
    for table, rows in data.items():
        got = by_key(table, read_all(erp, table))
        expected = by_key(table, rows)
        assert got.keys() == expected.keys(), table
        for key, row in expected.items():
            assert {c: got[key][c] for c in row} == row, (table, key)
        assert erp.count(table) == len(rows)


def test_window_is_since_inclusive_until_exclusive(erp, data):
    stamps = sorted(row["updated_at"] for row in data["skus"])
    since, until = stamps[5], stamps[12]
    got = {row["ref_id"] for row in read_all(erp, "skus", since=since, until=until)}
    assert len(got) == 7
    assert {row["ref_id"] for row in data["skus"] if row["updated_at"] == since} <= got
    assert not {row["ref_id"] for row in data["skus"] if row["updated_at"] == until} & got
    assert read_all(erp, "skus", since=stamps[-1] + timedelta(seconds=1)) == []
    assert len(read_all(erp, "skus", until=stamps[0])) == 0
    assert len(read_all(erp, "skus", since=stamps[0])) == len(data["skus"])


def test_reads_stream_in_chunks(erp, data):
    chunks = list(erp.read("sku_specifications", chunk_size=7))
    total = len(data["sku_specifications"])
    assert [len(c) for c in chunks[:-1]] == [7] * (len(chunks) - 1)
    assert 1 <= len(chunks[-1]) <= 7
    assert sum(len(c) for c in chunks) == total
    assert len({tuple(r.values()) for c in chunks for r in c}) == total


def order(order_id="1100-01"):
    row = {"vtex_order_id": order_id, "vtex_status": "ready-for-handling", "total_cents": 15990,
           "currency": "BRL", "customer_email": "a@example.com", "sales_channel": "1",
           "raw_order": json.dumps({"orderId": order_id})}
    lines = [
        {"sku_ref_id": "P00001-01", "vtex_sku_id": "11", "name": "Shirt", "quantity": 2,
         "unit_price_cents": 4995, "list_price_cents": 5995, "selling_price_cents": 4995},
        {"sku_ref_id": "P00002-01", "vtex_sku_id": "12", "name": "Cap", "quantity": 1,
         "unit_price_cents": 6000, "list_price_cents": 6000, "selling_price_cents": 6000},
    ]
    customer = {"email": "a@example.com", "first_name": "Ana", "last_name": "Silva", "city": "São Paulo"}
    return row, lines, customer


def test_sales_order_is_written_once(erp):
    assert erp.upsert_sales_order(*order()) is True
    row, lines, customer = order()
    assert erp.upsert_sales_order({**row, "total_cents": 1}, lines[:1], customer) is False
    stored = erp.get_sales_order("1100-01")
    assert stored["total_cents"] == 15990 and stored["status"] == "received"
    assert [line["quantity"] for line in stored["lines"]] == [2, 1]
    assert stored["customer"]["city"] == "São Paulo"
    assert erp.set_order_status("1100-01", "invoiced", vtex_status="invoiced")
    assert erp.get_sales_order("1100-01")["status"] == "invoiced"
    assert erp.get_sales_order("nope") is None
    assert erp.set_order_status("nope", "invoiced") is False
    with pytest.raises(ValueError):
        erp.set_order_status("1100-01", "lost")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_concurrent_order_writers_create_one_order(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'erp.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    load_into(url, {})
    outcomes = []

    def write():
        adapter = SqlErp(url)
        outcomes.append(adapter.upsert_sales_order(*order("1200-01")))
        adapter.engine.dispose()

    threads = [threading.Thread(target=write) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 5 + [True]
    erp = SqlErp(url)
    assert erp.count("sales_orders") == 1 and erp.count("sales_order_lines") == 2
    erp.engine.dispose()


def test_erp_answers_flow_through_pending_and_mark_sync(tmp_path):
    erp = SqlErp(f"sqlite:///{tmp_path / 'erp.db'}", create_schema=True)
    erp.upsert_sales_order(*order())
    stamp = erp.get_sales_order("1100-01")["received_at"]
    erp.upsert_rows("invoices", [{"vtex_order_id": "1100-01", "invoice_number": "NF-1", "type": "Output",
                                  "value_cents": 15990, "issued_at": stamp, "updated_at": stamp}])
    erp.upsert_rows("invoice_items", [{"vtex_order_id": "1100-01", "invoice_number": "NF-1",
                                       "sku_ref_id": "P00001-01", "quantity": 2, "unit_price_cents": 4995}])
    erp.upsert_rows("shipments", [{"vtex_order_id": "1100-01", "invoice_number": "NF-1", "carrier": "Loggi",
                                   "tracking_number": "T1", "updated_at": stamp}])
    erp.upsert_rows("order_changes", [{"change_code": "CH1", "vtex_order_id": "1100-01", "reason": "oos",
                                       "items": json.dumps([{"sku_ref_id": "P00002-01", "quantity": 1,
                                                             "op": "remove"}]), "updated_at": stamp}])
    [invoice] = erp.pending_invoices()
    assert invoice["items"][0]["quantity"] == 2 and invoice["sync_status"] == "pending"
    assert erp.pending_shipments() == []  # VTEX does not have the invoice yet
    assert erp.pending_changes()[0]["items"][0]["op"] == "remove"

    assert erp.mark_sync("invoices", ("1100-01", "NF-1"), "sent")
    assert erp.pending_invoices() == []
    assert [s["tracking_number"] for s in erp.pending_shipments()] == ["T1"]
    assert erp.mark_sync("order_changes", "CH1", "confirmed", vtex_change_id="vc-9")
    assert erp.pending_changes() == []
    shipment_key = {"vtex_order_id": "1100-01", "invoice_number": "NF-1"}
    assert erp.mark_sync("shipments", shipment_key, "failed", "boom")
    assert erp.pending_shipments() == []
    assert erp.mark_sync("invoices", ("nope", "NF-1"), "sent") is False
    with pytest.raises(ValueError):
        erp.mark_sync("products", "x", "sent")

    assert erp.request_cancellation("1100-01", "changed my mind")
    assert erp.pending_cancellations() == []  # waits for the ERP's decision
    assert erp.get_sales_order("1100-01")["status"] == "cancel_requested"


def test_file_erp_orders_go_to_outbound_and_answers_come_from_files(tmp_path):
    drop = tmp_path / "drop"
    write_drop(drop, {"invoices": [{"vtex_order_id": "1100-01", "invoice_number": "NF-1", "type": "Output",
                                    "value_cents": 100, "issued_at": "2024-02-01T10:00:00+00:00",
                                    "sync_status": "pending", "updated_at": "2024-02-01T10:00:00+00:00"}],
                      "invoice_items": [{"vtex_order_id": "1100-01", "invoice_number": "NF-1",
                                         "sku_ref_id": "S1", "quantity": 1, "unit_price_cents": 100}]})
    erp = FileErp(drop)
    assert erp.upsert_sales_order(*order()) and not erp.upsert_sales_order(*order())
    lines = (drop / "outbound" / "sales_orders.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["vtex_order_id"] == "1100-01"
    [invoice] = erp.pending_invoices()
    assert invoice["value_cents"] == 100 and invoice["items"][0]["sku_ref_id"] == "S1"
    erp.mark_sync("invoices", ("1100-01", "NF-1"), "sent")
    assert erp.pending_invoices() == []


def test_file_erp_records_a_shopper_cancellation_request_once(tmp_path):
    erp = FileErp(tmp_path / "drop")
    erp.upsert_sales_order(*order())
    assert erp.request_cancellation("1100-01", "changed my mind")
    assert not erp.request_cancellation("1100-01", "again")
    assert erp.get_sales_order("1100-01")["status"] == "cancel_requested"
    requests = (tmp_path / "drop" / "outbound" / "cancellation_requests.jsonl").read_text().splitlines()
    assert [json.loads(r)["reason"] for r in requests] == ["changed my mind"]


def test_adapter_factories(tmp_path, monkeypatch):
    assert isinstance(erp_from_url(f"sqlite:///{tmp_path / 'x.db'}"), SqlErp)
    write_drop(tmp_path / "pq", {"brands": []}, "parquet")
    assert erp_from_url(tmp_path / "pq").format == "parquet"
    assert erp_from_extra({"adapter": "files", "path": str(tmp_path)}).format == "csv"
    with pytest.raises(ValueError):
        erp_from_extra({"adapter": "ftp"})
    monkeypatch.setenv("AIRFLOW_CONN_ERP_TEST", json.dumps({
        "conn_type": "generic", "password": "s3cr3t-pw",
        "extra": {"adapter": "sql", "url": "postgresql+psycopg2://erp@127.0.0.1:5432/erp"},
    }))
    erp = erp_from_connection("erp_test")
    assert erp.engine.url.password == "s3cr3t-pw"
    assert "s3cr3t-pw" not in repr(erp)
