"""ERP -> VTEX write-backs: invoices, tracking, changes, cancellations; each confirmed once."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from vtex_sync.orders.feed_config import configure_feed
from vtex_sync.orders.fulfillment import run_fulfillment, run_kind
from vtex_sync.orders.intake import drain_feed
from vtex_sync.orders.processing import process_inbox

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def feed_cycle(ctx) -> dict:
    drain_feed(ctx, time_budget=60)
    return process_inbox(ctx, time_budget=60)


@pytest.fixture
def handled(world):
    """Three orders taken in by the feed (in the ERP, handling started); SKUs with 2 units each."""
    ctx = world.context()
    configure_feed(ctx)
    order_ids = world.create_orders(3)
    assert feed_cycle(ctx)["done"] == 3
    return world, ctx, order_ids


def erp_lines(world, order_id: str) -> list[tuple]:
    return world.erp_rows("SELECT sku_ref_id, quantity, unit_price_cents FROM sales_order_lines "
                          "WHERE vtex_order_id = ? ORDER BY line_no", order_id)


def add_invoice(world, order_id: str, number: str, value: int, lines: list[tuple], kind: str = "Output"):
    erp = world.erp()
    erp.upsert_rows("invoices", [{
        "vtex_order_id": order_id, "invoice_number": number, "type": kind, "value_cents": value,
        "issued_at": NOW, "invoice_key": f"KEY-{number}", "sync_status": "pending", "updated_at": NOW,
    }])
    erp.upsert_rows("invoice_items", [
        {"vtex_order_id": order_id, "invoice_number": number, "sku_ref_id": ref, "quantity": qty,
         "unit_price_cents": price} for ref, qty, price in lines
    ])


def sync_row(world, table: str, order_id: str) -> list[tuple]:
    return world.erp_rows(f"SELECT sync_status, sync_message FROM {table} WHERE vtex_order_id = ?", order_id)


def erp_status(world, order_id: str) -> str:
    return world.erp_rows("SELECT status FROM sales_orders WHERE vtex_order_id = ?", order_id)[0][0]


def test_full_invoice_makes_the_order_invoiced_and_is_sent_once(handled) -> None:
    world, ctx, (order_id, *_) = handled
    add_invoice(world, order_id, "NF-1", world.order(order_id)["value"], erp_lines(world, order_id))

    first = run_kind(ctx, "invoices")
    second = run_kind(ctx, "invoices")

    assert first["done"] == 1 and second["pending"] == 0
    assert world.order(order_id)["status"] == "invoiced"
    assert sync_row(world, "invoices", order_id)[0][0] == "confirmed"
    assert erp_status(world, order_id) == "invoiced"
    assert world.route_calls("POST", "/invoice") == 1
    package = world.order(order_id)["packageAttachment"]["packages"][0]
    assert package["invoiceNumber"] == "NF-1" and package["invoiceValue"] == world.order(order_id)["value"]


def test_partial_invoices_keep_the_order_open_until_the_total_is_reached(handled) -> None:
    world, ctx, (order_id, *_) = handled
    value = world.order(order_id)["value"]
    lines = erp_lines(world, order_id)
    add_invoice(world, order_id, "NF-A", value // 2, lines[:1])
    run_kind(ctx, "invoices")
    assert world.order(order_id)["status"] == "handling"
    assert erp_status(world, order_id) == "partially_invoiced"

    add_invoice(world, order_id, "NF-B", value - value // 2, lines)
    run_kind(ctx, "invoices")
    assert world.order(order_id)["status"] == "invoiced"
    numbers = [p["invoiceNumber"] for p in world.order(order_id)["packageAttachment"]["packages"]]
    assert sorted(numbers) == ["NF-A", "NF-B"]
    assert [r[0] for r in world.erp_rows("SELECT sync_status FROM invoices")] == ["confirmed"] * 2


def test_tracking_and_delivery_follow_the_invoice(handled) -> None:
    world, ctx, (order_id, *_) = handled
    add_invoice(world, order_id, "NF-T", world.order(order_id)["value"], erp_lines(world, order_id))
    erp = world.erp()
    erp.upsert_rows("shipments", [{
        "vtex_order_id": order_id, "invoice_number": "NF-T", "carrier": "Acme Freight",
        "tracking_number": "TRK123", "tracking_url": "https://track.example/TRK123",
        "dispatched_at": NOW, "delivered": True, "delivered_at": NOW + timedelta(days=2),
        "sync_status": "pending", "updated_at": NOW,
    }])
    erp.upsert_rows("tracking_events", [
        {"vtex_order_id": order_id, "invoice_number": "NF-T", "seq": n, "city": "Austin", "state": "TX",
         "description": text, "event_at": NOW + timedelta(days=n)}
        for n, text in ((1, "In transit"), (2, "Delivered"))
    ])

    result = run_fulfillment(ctx)

    assert result["invoices"]["done"] == 1 and result["shipments"]["done"] == 1
    package = world.order(order_id)["packageAttachment"]["packages"][0]
    assert package["trackingNumber"] == "TRK123" and package["courier"] == "Acme Freight"
    assert package["courierStatus"]["finished"] is True
    assert [e["description"] for e in package["courierStatus"]["data"]] == ["In transit", "Delivered"]
    assert world.order(order_id)["status"] == "invoiced"
    assert erp_status(world, order_id) == "delivered"
    assert run_kind(ctx, "shipments")["pending"] == 0


def test_order_change_is_requested_once_and_confirmed(world) -> None:
    ctx = world.context()
    configure_feed(ctx)
    skus = world.admin.get("/_sandbox/export").json()["skus"]
    sku_id = str(next(s["Id"] for s in skus if s.get("IsActive")))
    (order_id,) = world.create_orders(orders=[{"items": [{"id": sku_id, "quantity": 2}]}])
    feed_cycle(ctx)
    before = world.order(order_id)["value"]
    ref = erp_lines(world, order_id)[0][0]
    world.erp().upsert_rows("order_changes", [{
        "change_code": "CHG-1", "vtex_order_id": order_id, "reason": "Out of stock",
        "items": json.dumps([{"sku_ref_id": ref, "quantity": 1, "op": "remove"}]),
        "sync_status": "pending", "updated_at": NOW,
    }])

    first = run_kind(ctx, "changes")
    time.sleep(0.4)  # VTEX applies a change asynchronously
    second = run_kind(ctx, "changes")
    third = run_kind(ctx, "changes")

    assert first["retry"] == 1 and second["done"] == 1 and third["pending"] == 0
    assert world.route_calls("PATCH", "/changes") == 1
    status, change_id = world.erp_rows("SELECT sync_status, vtex_change_id FROM order_changes")[0]
    assert status == "confirmed" and change_id
    order = world.order(order_id)
    assert order["items"][0]["quantity"] == 1
    assert order["value"] == before - order["items"][0]["price"]


def test_erp_side_cancellation_cancels_in_vtex(handled) -> None:
    world, ctx, (order_id, *_) = handled
    world.erp().upsert_rows("order_cancellations", [{
        "vtex_order_id": order_id, "reason": "Customer called", "decided_by": "erp", "decision": "accept",
        "sync_status": "pending", "updated_at": NOW,
    }])
    assert run_kind(ctx, "cancellations")["done"] == 1
    assert world.order(order_id)["status"] == "canceled"
    assert erp_status(world, order_id) == "canceled"
    assert sync_row(world, "order_cancellations", order_id)[0][0] == "confirmed"


def test_cancel_after_invoicing_is_refused_reported_and_not_retried(handled) -> None:
    world, ctx, (order_id, *_) = handled
    add_invoice(world, order_id, "NF-9", world.order(order_id)["value"], erp_lines(world, order_id))
    run_kind(ctx, "invoices")
    world.erp().upsert_rows("order_cancellations", [{
        "vtex_order_id": order_id, "reason": "Too late", "decided_by": "erp", "decision": "accept",
        "sync_status": "pending", "updated_at": NOW,
    }])

    first = run_kind(ctx, "cancellations")
    second = run_kind(ctx, "cancellations")

    assert first["failed"] == 1 and second["pending"] == 0
    status, message = sync_row(world, "order_cancellations", order_id)[0]
    assert status == "failed" and "refused" in message and "invoiced" in message
    assert world.order(order_id)["status"] == "invoiced"
    assert world.route_calls("POST", "/cancel") == 1


def test_return_invoice_after_full_invoicing(handled) -> None:
    world, ctx, (order_id, *_) = handled
    lines = erp_lines(world, order_id)
    add_invoice(world, order_id, "NF-OUT", world.order(order_id)["value"], lines)
    add_invoice(world, order_id, "NF-RET", lines[0][1] * lines[0][2], lines[:1], kind="Input")

    result = run_kind(ctx, "invoices")

    assert result["done"] == 2
    types = {p["invoiceNumber"]: p["type"] for p in world.order(order_id)["packageAttachment"]["packages"]}
    assert types == {"NF-OUT": "Output", "NF-RET": "Input"}


def test_shopper_cancellation_request_is_accepted_before_invoicing(handled) -> None:
    world, ctx, (order_id, *_) = handled
    world.admin.post(f"/_sandbox/orders/{order_id}/cancellation-request").raise_for_status()

    feed_cycle(ctx)

    assert world.order(order_id)["status"] == "canceled"
    assert erp_status(world, order_id) == "canceled"
    decision = world.erp_rows("SELECT decision, sync_status FROM order_cancellations WHERE vtex_order_id = ?",
                              order_id)
    assert decision == [("accept", "confirmed")]


def test_shopper_cancellation_request_is_denied_once_invoicing_started(handled) -> None:
    world, ctx, (order_id, *_) = handled
    value = world.order(order_id)["value"]
    add_invoice(world, order_id, "NF-P", value // 2, erp_lines(world, order_id)[:1])
    run_kind(ctx, "invoices")
    world.admin.post(f"/_sandbox/orders/{order_id}/cancellation-request").raise_for_status()

    feed_cycle(ctx)

    assert world.route_calls("POST", "/cancel") == 0
    assert world.order(order_id)["status"] != "canceled"
    assert erp_status(world, order_id) == "partially_invoiced"
    decision = world.erp_rows("SELECT decision, sync_status FROM order_cancellations WHERE vtex_order_id = ?",
                              order_id)
    assert decision == [("deny", "confirmed")]


@pytest.mark.parametrize(("vtex_status", "erp_sync", "outcome"), [
    ("waiting-acknowledgement", "pending", "retry"),
    ("waiting-confirmation", "pending", "retry"),
    ("done", "confirmed", "done"),
    ("canceled", "failed", "failed"),
])
def test_order_change_follows_vtex_documented_statuses(world, monkeypatch, vtex_status, erp_sync,
                                                       outcome) -> None:
    """VTEX documents waiting-acknowledgement -> waiting-confirmation -> done | canceled; none of
    them is re-run with the retry call (VTEX refuses it for done and canceled ones)."""
    from vtex_provider.models.oms import ChangeResult

    ctx = world.context()
    configure_feed(ctx)
    skus = world.admin.get("/_sandbox/export").json()["skus"]
    sku_id = str(next(s["Id"] for s in skus if s.get("IsActive")))
    (order_id,) = world.create_orders(orders=[{"items": [{"id": sku_id, "quantity": 2}]}])
    feed_cycle(ctx)
    ref = erp_lines(world, order_id)[0][0]
    world.erp().upsert_rows("order_changes", [{
        "change_code": "CHG-DOC", "vtex_order_id": order_id, "reason": "Out of stock",
        "items": json.dumps([{"sku_ref_id": ref, "quantity": 1, "op": "remove"}]),
        "sync_status": "pending", "updated_at": NOW,
    }])
    oms_class = type(ctx.clients.oms)
    monkeypatch.setattr(oms_class, "get_change", lambda self, order, change: ChangeResult(
        request_id=change, status=vtex_status, in_progress=vtex_status.startswith("waiting")))

    result = run_kind(ctx, "changes")

    assert result[outcome] == 1
    assert world.erp_rows("SELECT sync_status FROM order_changes")[0][0] == erp_sync
    assert world.route_calls("POST", "/retry") == 0
