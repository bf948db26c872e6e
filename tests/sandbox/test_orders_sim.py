"""The sandbox's order simulator: what it sells, its status clock, cancellation requests, restarts."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx
import pytest

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers
from vtex_sandbox.store import Store


def put_sku(store: Store, sku_id: int, active: bool = True, price: float | None = 5.0, stock: int = 10):
    store.put(
        "skus",
        sku_id,
        {"Id": sku_id, "ProductId": sku_id, "RefId": f"R{sku_id}", "Name": f"S{sku_id}", "IsActive": active},
    )
    if price is not None:
        store.put("prices", sku_id, {"itemId": str(sku_id), "basePrice": price, "listPrice": price})
    store.put(
        "inventory",
        f"{sku_id}-wh1",
        {
            "skuId": str(sku_id),
            "warehouseId": "wh1",
            "quantity": stock,
            "unlimitedQuantity": False,
            "reservedQuantity": 0,
        },
    )


def get(client: httpx.Client, order_id: str) -> dict:
    return client.get(f"/api/oms/pvt/orders/{order_id}").json()


def test_sells_only_active_priced_in_stock_skus_and_reserves(vtex: httpx.Client, sandbox_server) -> None:
    store = sandbox_server.app.state.store
    put_sku(store, 1, stock=40)
    put_sku(store, 2, active=False)
    put_sku(store, 3, price=None)
    put_sku(store, 4, stock=0)
    ids = vtex.post("/_sandbox/orders", json={"count": 15}).json()["orderIds"]
    items = [item for order_id in ids for item in get(vtex, order_id)["items"]]
    assert {item["id"] for item in items} == {"1"}
    assert store.get("inventory", "1-wh1")["reservedQuantity"] == sum(item["quantity"] for item in items)
    for sku in ("2", "3", "4", "99"):
        refused = vtex.post("/_sandbox/orders", json={"orders": [{"items": [{"id": sku, "quantity": 1}]}]})
        assert refused.status_code == 400, sku
    too_many = {"orders": [{"items": [{"id": "1", "quantity": 41}]}]}
    assert vtex.post("/_sandbox/orders", json=too_many).status_code == 400
    assert vtex.get("/api/oms/pvt/orders").json()["paging"]["total"] == 15


def test_given_customer_is_used(vtex: httpx.Client, sandbox_server) -> None:
    put_sku(sandbox_server.app.state.store, 1)
    body = {
        "orders": [
            {
                "items": [{"id": "1", "quantity": 2}],
                "clientProfileData": {"email": "ana@example.com", "firstName": "Ana"},
            }
        ]
    }
    [order_id] = vtex.post("/_sandbox/orders", json=body).json()["orderIds"]
    profile = get(vtex, order_id)["clientProfileData"]
    assert profile["email"] == "ana@example.com" and profile["firstName"] == "Ana"
    assert profile["lastName"] and profile["document"]


@pytest.fixture
def clocked() -> tuple[httpx.Client, SandboxServer]:
    config = SandboxConfig(seed=5, order_clock=0.4, cancel_request_share=1.0, rate_limit_scale=0)
    server = SandboxServer(config)
    with server as url, httpx.Client(base_url=url, headers=auth_headers(config)) as client:
        put_sku(server.app.state.store, 1, stock=100)
        yield client, server


def test_clock_moves_orders_to_ready_then_shopper_asks_to_cancel(clocked) -> None:
    client, _server = clocked
    [order_id] = client.post("/_sandbox/orders", json={"count": 1}).json()["orderIds"]
    assert get(client, order_id)["status"] == "window-to-cancel"
    time.sleep(0.45)
    assert get(client, order_id)["status"] == "ready-for-handling"
    time.sleep(0.45)
    order = get(client, order_id)
    assert order["status"] == "cancellation-requested"
    assert client.post(f"/api/oms/pvt/orders/{order_id}/start-handling").status_code == 409
    denied = client.post(f"/_sandbox/orders/{order_id}/deny-cancellation")
    assert denied.json()["status"] == "ready-for-handling"
    assert client.post(f"/api/oms/pvt/orders/{order_id}/start-handling").status_code == 204


def test_seller_accepts_cancellation_request(vtex: httpx.Client, sandbox_server) -> None:
    put_sku(sandbox_server.app.state.store, 1)
    [order_id] = vtex.post("/_sandbox/orders", json={"count": 1}).json()["orderIds"]
    assert vtex.post(f"/_sandbox/orders/{order_id}/cancellation-request").status_code == 409  # not ready yet
    vtex.post("/_sandbox/orders/ready").raise_for_status()
    assert (
        vtex.post(f"/_sandbox/orders/{order_id}/cancellation-request").json()["status"]
        == "cancellation-requested"
    )
    vtex.post(f"/api/oms/pvt/orders/{order_id}/cancel", json={"reason": "shopper"}).raise_for_status()
    assert get(vtex, order_id)["status"] == "canceled"
    assert sandbox_server.app.state.store.get("inventory", "1-wh1")["reservedQuantity"] == 0


def test_orders_feed_and_pending_clock_survive_a_restart() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db_path = str(Path(folder) / "sandbox.db")
        config = SandboxConfig(seed=9, order_clock=0.3, rate_limit_scale=0, db_path=db_path)
        first = SandboxServer(config)
        with first as url, httpx.Client(base_url=url, headers=auth_headers(config)) as client:
            put_sku(first.app.state.store, 1)
            client.post(
                "/api/orders/feed/config",
                json={
                    "filter": {"type": "FromWorkflow", "status": ["ready-for-handling"]},
                    "queue": {"visibilityTimeoutInSeconds": 30, "MessageRetentionPeriodInSeconds": 345600},
                },
            ).raise_for_status()
            ids = client.post("/_sandbox/orders", json={"count": 2}).json()["orderIds"]
        first.app.state.store.close()
        time.sleep(0.35)  # the ready-for-handling moment passes while the server is down
        second = SandboxServer(config)
        with second as url, httpx.Client(base_url=url, headers=auth_headers(config)) as client:
            assert [get(client, order_id)["status"] for order_id in ids] == ["ready-for-handling"] * 2
            events = client.get("/api/orders/feed", params={"maxlot": 10}).json()
            assert sorted(e["orderId"] for e in events) == sorted(ids)
            second.app.state.store.close()
