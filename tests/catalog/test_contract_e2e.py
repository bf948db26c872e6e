"""Every request the product sends is valid under VTEX's OpenAPI documents: the sandbox runs in
enforce mode (a violation answers 400) and counts no violation, first over the initial setup and
the three syncs, then over every flow: setup, customers, syncs, the orders feed and hook,
fulfilment write-backs, the orders sweep and the duplicates sweep."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.contract import CONTRACT_DIR, JSON_HEADERS
from tests.incremental.conftest import ACCOUNT, Shop, run_initial_setup
from tests.incremental.test_incremental_sync import sync
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)


@pytest.fixture
def strict_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    if not CONTRACT_DIR.is_dir() or not any(CONTRACT_DIR.glob("*.json")):
        reason = f"VTEX's OpenAPI documents are absent ({CONTRACT_DIR.name} next to the project)"
        print(reason)
        pytest.skip(reason)
    config = SandboxConfig(
        account=ACCOUNT, rate_limit_scale=0, contract_dir=str(CONTRACT_DIR), contract_mode="enforce"
    )
    server = SandboxServer(config)
    server.start()
    erp_url, state_url = f"sqlite:///{tmp_path / 'erp.db'}", f"sqlite:///{tmp_path / 'state.db'}"
    vtex_extra = {"account_name": ACCOUNT, "base_url": server.base_url}
    connections = {
        "VTEX_DEFAULT": {"conn_type": "vtex", "login": config.app_key, "password": config.app_token,
                         "extra": vtex_extra},
        "ERP_DEFAULT": {"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}},
        "VTEX_STATE": {"conn_type": "generic", "extra": {"url": state_url}},
    }  # fmt: skip
    for name, value in connections.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_{name}", json.dumps(value))
    load_into(erp_url, generate("tiny"))
    try:
        with httpx.Client(base_url=server.base_url, headers=auth_headers(config), timeout=30) as client:
            shop = Shop(client, erp_url, state_url)
            yield shop
            shop.erp.engine.dispose()
            shop.state.engine.dispose()
    finally:
        server.stop()


def test_every_request_of_setup_and_syncs_is_valid_under_vtex_documents(strict_shop: Shop) -> None:
    shop = strict_shop
    run_initial_setup()
    shop.change("products", shop.all_rows("products")[:2], AT, description="changed")
    shop.change("skus", shop.all_rows("skus")[:2], AT, active=False)
    shop.change("sku_images", shop.all_rows("sku_images")[:1], AT, active=False)
    shop.change("product_specifications", shop.all_rows("product_specifications")[:2], AT, text="new")
    shop.change("prices", shop.all_rows("prices")[:3], AT, base_price=Decimal("12.34"))
    shop.change("stock", shop.all_rows("stock")[:3], AT, quantity=5, lead_time="1.00:00:00")
    for flow, minutes in (("catalog", 15), ("prices", 5), ("inventory", 2)):
        sync(flow, AT, minutes)

    contract = shop.vtex.get("/_sandbox/stats").raise_for_status().json()["contract"]
    since = contract["since_start"]
    broken = [op for op in since["by_operation"] if op["violations"]]
    assert contract["mode"] == "enforce"
    assert since["validated"] > 0
    assert since["violations"] == 0, broken


# operations each flow must have sent (the test proves those flows ran, not only that nothing broke)
FLOW_OPERATIONS = {
    "setup": "POST /api/catalog/pvt/stockkeepingunit",
    "customers": "POST /api/dataentities/CL/documents",
    "addresses": "POST /api/dataentities/AD/documents",
    "customer change": "PATCH /api/dataentities/CL/documents/{id}",
    "catalog sync": "PUT /api/catalog/pvt/product/{productId}",
    "trade policy dropped": "DELETE /api/catalog/pvt/product/{productId}/salespolicy/{tradepolicyId}",
    "row deleted": "DELETE /api/catalog/pvt/stockkeepingunit/{skuId}/specification/{specificationId}",
    "prices": "PUT /pricing/prices/{itemId}",
    "inventory": "PUT /api/logistics/pvt/inventory/skus/{skuId}/warehouses/{warehouseId}",
    "feed config": "POST /api/orders/feed/config",
    "hook config": "POST /api/orders/hook/config",
    "feed": "POST /api/orders/feed",
    "start handling": "POST /api/oms/pvt/orders/{orderId}/start-handling",
    "invoice": "POST /api/oms/pvt/orders/{orderId}/invoice",
    "tracking": "PUT /api/oms/pvt/orders/{orderId}/invoice/{invoiceNumber}/tracking",
    "change": "PATCH /api/order-system/orders/{changeOrderId}/changes",
    "cancellation": "POST /api/oms/pvt/orders/{orderId}/cancel",
    "sweep": "GET /api/oms/pvt/orders",
    "duplicates": "DELETE /api/catalog/pvt/stockkeepingunit/{skuId}/file/{skuFileId}",
}


def test_every_request_of_every_flow_is_valid_under_vtex_documents(
    strict_shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.orders.conftest import HOOK_HEADER, HOOK_SECRET, ReceiverServer
    from vtex_sandbox.server import free_port
    from vtex_sync.airflow.connections import build_context
    from vtex_sync.airflow.tasks import run_step, sweep_duplicates
    from vtex_sync.context import SyncSettings
    from vtex_sync.orders.feed_config import configure_feed
    from vtex_sync.orders.feed_run import process_until_empty
    from vtex_sync.orders.fulfillment import run_fulfillment
    from vtex_sync.orders.hook_config import HookAction
    from vtex_sync.orders.hook_config import run as hook_config
    from vtex_sync.orders.hook_settings import hook_settings
    from vtex_sync.orders.intake import drain_feed
    from vtex_sync.orders.processing import process_inbox
    from vtex_sync.orders.reconcile import reconcile_window
    from vtex_sync.steps import CUSTOMER_STEPS

    shop, admin = strict_shop, strict_shop.vtex

    def order_of(order_id: str) -> dict:
        return admin.get(f"/api/oms/pvt/orders/{order_id}", headers=JSON_HEADERS).raise_for_status().json()

    run_initial_setup()
    for step in CUSTOMER_STEPS:
        run_step(step.name, {})
    # a copy of an image made behind the integration's back, for the duplicates sweep to retire
    image = shop.export()["sku_files"][0]
    copy = {"Name": image["Name"], "Url": image["Url"], "IsMain": False, "Label": image.get("Label")}
    admin.post(f"/api/catalog/pvt/stockkeepingunit/{image['SkuId']}/file", json=copy,
               headers=JSON_HEADERS).raise_for_status()
    assert sweep_duplicates({"remove_duplicates": True})["duplicates"] == 1

    shop.change("products", shop.all_rows("products")[:2], AT, description="changed", trade_policies="1")
    shop.change("skus", shop.all_rows("skus")[:2], AT, active=False)
    shop.change("sku_images", shop.all_rows("sku_images")[:1], AT, active=False)
    shop.change("product_specifications", shop.all_rows("product_specifications")[:2], AT, text="new")
    shop.change("prices", shop.all_rows("prices")[:3], AT, base_price=Decimal("12.34"))
    shop.change("stock", shop.all_rows("stock")[:3], AT, quantity=5, lead_time="1.00:00:00")
    shop.change("customers", shop.all_rows("customers")[:1], AT, phone="+5511999990000")
    deleted = shop.all_rows("sku_specifications")[0]  # a row deleted outright: removed in VTEX
    with shop.erp.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sku_specifications WHERE sku_ref_id = ? AND field_code = ?",
                             (deleted["sku_ref_id"], deleted["field_code"]))
    for flow, minutes in (("catalog", 15), ("prices", 5), ("inventory", 2)):
        sync(flow, AT, minutes)
    for step in CUSTOMER_STEPS:
        run_step(step.name, {})

    receiver = ReceiverServer(free_port())
    extra = {"url": receiver.url, "header": HOOK_HEADER}
    hook = {"conn_type": "generic", "password": HOOK_SECRET, "extra": extra}
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_ORDERS_HOOK", json.dumps(hook))
    receiver.start()
    try:
        ctx = build_context(settings=SyncSettings())
        configure_feed(ctx)
        hook_config(ctx, hook_settings(), HookAction.SET)
        started = datetime.now(UTC)
        orders = admin.post("/_sandbox/orders", json={"count": 4}).raise_for_status().json()["orderIds"]
        admin.post("/_sandbox/orders/ready").raise_for_status()
        deadline = time.monotonic() + 30
        while len(ctx.state.inbox_pending(ctx.account)) < len(orders):  # the hook's notifications
            assert time.monotonic() < deadline, "the hook's notifications did not reach the inbox"
            time.sleep(0.1)
        process_until_empty(ctx, time_budget=60)
        drain_feed(ctx, time_budget=30)  # the feed brings the same orders: each is taken once
        process_inbox(ctx, time_budget=60)
    finally:
        receiver.stop()
    assert {order_of(o)["status"] for o in orders} == {"handling"}

    invoiced, changed, canceled, requested = orders
    erp = shop.erp
    order = order_of(invoiced)
    lines = erp_lines(shop, invoiced)
    erp.upsert_rows("invoices", [{
        "vtex_order_id": invoiced, "invoice_number": "NF-1", "type": "Output", "value_cents": order["value"],
        "issued_at": AT, "invoice_key": "KEY-NF-1", "sync_status": "pending", "updated_at": AT}])
    erp.upsert_rows("invoice_items", [
        {"vtex_order_id": invoiced, "invoice_number": "NF-1", "sku_ref_id": ref, "quantity": qty,
         "unit_price_cents": price} for ref, qty, price in lines])
    erp.upsert_rows("shipments", [{
        "vtex_order_id": invoiced, "invoice_number": "NF-1", "carrier": "Acme Freight",
        "tracking_number": "TRK1", "tracking_url": "https://track.example/TRK1", "dispatched_at": AT,
        "delivered": True, "delivered_at": AT, "sync_status": "pending", "updated_at": AT}])
    erp.upsert_rows("tracking_events", [{
        "vtex_order_id": invoiced, "invoice_number": "NF-1", "seq": 1, "city": "Austin", "state": "TX",
        "description": "Delivered", "event_at": AT}])
    ref, quantity, _ = erp_lines(shop, changed)[0]
    erp.upsert_rows("order_changes", [{
        "change_code": "CHG-1", "vtex_order_id": changed, "reason": "Out of stock",
        "items": json.dumps([{"sku_ref_id": ref, "quantity": 1, "op": "remove"}]),
        "sync_status": "pending", "updated_at": AT}])
    erp.upsert_rows("order_cancellations", [{
        "vtex_order_id": canceled, "reason": "Customer called", "decided_by": "erp", "decision": "accept",
        "sync_status": "pending", "updated_at": AT}])
    result = run_fulfillment(ctx)
    time.sleep(0.4)  # VTEX applies a change asynchronously: the next run confirms it
    run_fulfillment(ctx)
    admin.post(f"/_sandbox/orders/{requested}/cancellation-request").raise_for_status()
    drain_feed(ctx, time_budget=30)  # the shopper's request, answered
    process_inbox(ctx, time_budget=60)
    assert {k: v.get("done", 0) for k, v in result.items()} == {
        "cancellations": 1, "changes": 0, "invoices": 1, "shipments": 1}, result
    assert order_of(requested)["status"] == "canceled"

    late = admin.post("/_sandbox/orders", json={"count": 1}).raise_for_status().json()["orderIds"]
    admin.post("/_sandbox/orders/ready").raise_for_status()  # its feed event is never read: swept
    swept = reconcile_window(ctx, started - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1))
    assert swept["repaired"] >= 1 and order_of(late[0])["status"] == "handling"

    contract = admin.get("/_sandbox/stats").raise_for_status().json()["contract"]
    since = contract["since_start"]
    broken = [op for op in since["by_operation"] if op["violations"]]
    assert contract["mode"] == "enforce"
    assert since["violations"] == 0, broken
    sent = {op["operation"] for op in since["by_operation"]}
    missing = {flow: operation for flow, operation in FLOW_OPERATIONS.items() if operation not in sent}
    assert not missing, (missing, sorted(sent))



def erp_lines(shop: Shop, order_id: str) -> list[tuple[str, int, int]]:
    with shop.erp.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT sku_ref_id, quantity, unit_price_cents FROM sales_order_lines WHERE vtex_order_id = ? "
            "ORDER BY line_no", (order_id,)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]
