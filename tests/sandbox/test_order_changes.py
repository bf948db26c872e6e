"""Order changes (order-system API) in the sandbox over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from vtex_sandbox.server import SandboxServer

APPLY_WAIT = 0.4  # a little more than the sandbox's change delay


@pytest.fixture
def shop(vtex: httpx.Client, sandbox_server: SandboxServer) -> httpx.Client:
    store = sandbox_server.app.state.store
    for sku_id, price in ((1, 10.0), (2, 4.0)):
        store.put("skus", sku_id, {"Id": sku_id, "ProductId": sku_id, "RefId": f"R{sku_id}",
                                   "Name": f"S{sku_id}", "IsActive": True})
        store.put("prices", sku_id, {"itemId": str(sku_id), "basePrice": price, "listPrice": price})
        store.put("inventory", f"{sku_id}-wh1", {"skuId": str(sku_id), "warehouseId": "wh1", "quantity": 50,
                                                 "unlimitedQuantity": False, "reservedQuantity": 0})
    return vtex


def order_in(client: httpx.Client, status: str) -> dict:
    body = {"orders": [{"items": [{"id": "1", "quantity": 3}]}]}
    [order_id] = client.post("/_sandbox/orders", json=body).json()["orderIds"]
    client.post("/_sandbox/orders/ready").raise_for_status()
    if status == "handling":
        client.post(f"/api/oms/pvt/orders/{order_id}/start-handling").raise_for_status()
    return client.get(f"/api/oms/pvt/orders/{order_id}").json()


def changes_url(order_id: str) -> str:
    return f"/api/order-system/orders/{order_id}/changes"


ADD_ONE_OF_2 = {"reason": "customer wants more", "add": {"items": [{"id": "2", "quantity": 1}]}}


def test_changes_refused_outside_handling_and_for_bad_items(shop: httpx.Client) -> None:
    ready = order_in(shop, "ready-for-handling")
    refused = shop.patch(changes_url(ready["orderId"]), params={"an": "testshop"}, json=ADD_ONE_OF_2)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "CHK0124"
    order = order_in(shop, "handling")
    unknown = {"reason": "x", "add": {"items": [{"id": "404", "quantity": 1}]}}
    assert shop.patch(changes_url(order["orderId"]), json=unknown).json()["error"]["code"] == "CHK0022"
    zero = {"reason": "x", "remove": {"items": [{"id": "1", "quantity": 0}]}}
    assert shop.patch(changes_url(order["orderId"]), json=zero).json()["error"]["code"] == "CHK0023"
    too_many = {"reason": "x", "remove": {"items": [{"id": "1", "quantity": 4}]}}
    assert shop.patch(changes_url(order["orderId"]), json=too_many).json()["error"]["code"] == "CHK0023"
    assert shop.get(changes_url(order["orderId"])).json() == {"requests": []}


def test_change_is_applied_asynchronously(shop: httpx.Client) -> None:
    order = order_in(shop, "handling")
    body = {"reason": "swap", "add": {"items": [{"id": "2", "quantity": 2}]},
            "remove": {"items": [{"id": "1", "quantity": 1}]}}
    preview = shop.post(f"{changes_url(order['orderId'])}/preview", json=body)
    assert preview.status_code == 200 and preview.json()["totalChangeValue"] == 2 * 400 - 1000
    accepted = shop.patch(changes_url(order["orderId"]), params={"accountName": "testshop"}, json=body)
    assert accepted.status_code == 202
    request_id = accepted.json()["requestId"]
    time.sleep(APPLY_WAIT)
    changed = shop.get(f"/api/oms/pvt/orders/{order['orderId']}").json()
    assert {i["id"]: i["quantity"] for i in changed["items"]} == {"1": 2, "2": 2}
    assert changed["value"] == order["value"] - 1000 + 800
    status = shop.get(f"{changes_url(order['orderId'])}/{request_id}").json()
    assert status["status"] == "done" and status["inProgress"] is False
    history = shop.get(changes_url(order["orderId"])).json()["requests"]
    assert [r["requestId"] for r in history] == [request_id]


def test_retry_reruns_a_failed_change_once(shop: httpx.Client) -> None:
    order = order_in(shop, "handling")
    order_id = order["orderId"]
    request_id = shop.patch(changes_url(order_id), json=ADD_ONE_OF_2).json()["requestId"]
    shop.post(f"/_sandbox/orders/{order_id}/cancellation-request").raise_for_status()
    time.sleep(APPLY_WAIT)
    failed = shop.get(f"{changes_url(order_id)}/{request_id}").json()
    assert failed["status"] == "waiting-confirmation" and failed["error"]["code"]
    shop.post(f"/_sandbox/orders/{order_id}/deny-cancellation").raise_for_status()
    for _ in range(2):
        assert shop.post(f"{changes_url(order_id)}/{request_id}/retry").status_code == 204
    assert shop.get(f"{changes_url(order_id)}/{request_id}").json()["status"] == "done"
    after = shop.get(f"/api/oms/pvt/orders/{order_id}").json()
    assert {i["id"]: i["quantity"] for i in after["items"]} == {"1": 3, "2": 1}
    assert after["value"] == order["value"] + 400


def test_cancel_a_pending_change(shop: httpx.Client) -> None:
    order = order_in(shop, "handling")
    request_id = shop.patch(changes_url(order["orderId"]), json=ADD_ONE_OF_2).json()["requestId"]
    url = f"{changes_url(order['orderId'])}/{request_id}"
    assert shop.post(f"{url}/cancel", json={"reason": "typo"}).status_code == 200
    time.sleep(APPLY_WAIT)
    assert shop.get(url).json()["status"] == "canceled"
    assert shop.get(f"/api/oms/pvt/orders/{order['orderId']}").json()["value"] == order["value"]
    assert shop.get(f"{changes_url(order['orderId'])}/nope").status_code == 404


def test_change_statuses_are_only_the_documented_ones(shop: httpx.Client) -> None:
    """orders.json: waiting-acknowledgement, waiting-confirmation, done, canceled; nothing else."""
    documented = {"waiting-acknowledgement", "waiting-confirmation", "done", "canceled"}
    order = order_in(shop, "handling")
    url = changes_url(order["orderId"])
    created = shop.patch(url, json=ADD_ONE_OF_2).json()
    preview = shop.post(f"{url}/preview", json=ADD_ONE_OF_2).json()
    seen = {created["status"], preview["status"]}
    time.sleep(APPLY_WAIT)
    seen |= {r["status"] for r in shop.get(url).json()["requests"]}
    assert seen <= documented and "done" in seen
