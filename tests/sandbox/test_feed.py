"""Orders feed v3 of the sandbox over real HTTP: configuration, visibility, commit, retention."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

READY_ONLY = {
    "filter": {"type": "FromWorkflow", "status": ["ready-for-handling"]},
    "queue": {"visibilityTimeoutInSeconds": 1, "messageRetentionPeriodInSeconds": 345600},
}


def seed_skus(store, count: int = 3, stock: int = 1000) -> None:
    for sku_id in range(1, count + 1):
        store.put(
            "skus",
            sku_id,
            {
                "Id": sku_id,
                "ProductId": sku_id,
                "RefId": f"R{sku_id}",
                "Name": f"SKU {sku_id}",
                "IsActive": True,
            },
        )
        store.put("prices", sku_id, {"itemId": str(sku_id), "basePrice": 9.99, "listPrice": 9.99})
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


@pytest.fixture
def feed(vtex: httpx.Client, sandbox_server: SandboxServer) -> httpx.Client:
    seed_skus(sandbox_server.app.state.store)
    return vtex


def ready_orders(client: httpx.Client, count: int) -> list[str]:
    ids = client.post("/_sandbox/orders", json={"count": count}).json()["orderIds"]
    client.post("/_sandbox/orders/ready").raise_for_status()
    return ids


def test_no_config_means_404(feed: httpx.Client) -> None:
    assert feed.get("/api/orders/feed").status_code == 404
    assert feed.get("/api/orders/feed/config").status_code == 404


def test_config_round_trip_and_validation(feed: httpx.Client) -> None:
    body = {
        "filter": {"type": "FromWorkflow", "status": ["ready-for-handling", "canceled"]},
        "queue": {"visibilityTimeoutInSeconds": 250, "MessageRetentionPeriodInSeconds": 432000},
    }
    assert feed.post("/api/orders/feed/config", json=body).status_code == 200
    config = feed.get("/api/orders/feed/config").json()
    assert config["filter"] == body["filter"]
    assert config["queue"]["visibilityTimeoutInSeconds"] == 250
    assert config["queue"]["messageRetentionPeriodInSeconds"] == 432000
    assert config["quantity"] == 0
    mixed = {
        "filter": {"type": "FromWorkflow", "status": ["invoiced"], "expression": "status = 'x'"},
        "queue": body["queue"],
    }
    assert feed.post("/api/orders/feed/config", json=mixed).status_code == 409
    short = {**body, "queue": {"visibilityTimeoutInSeconds": 250, "MessageRetentionPeriodInSeconds": 60}}
    assert feed.post("/api/orders/feed/config", json=short).status_code == 400
    assert feed.get("/api/orders/feed/config").json()["filter"] == body["filter"]
    assert feed.delete("/api/orders/feed/config").status_code == 200
    assert feed.get("/api/orders/feed").status_code == 404


def test_empty_feed_is_an_empty_list(feed: httpx.Client) -> None:
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    answer = feed.get("/api/orders/feed/", params={"maxlot": 10})
    assert answer.status_code == 200 and answer.json() == []


def test_maxlot_caps_each_read(feed: httpx.Client) -> None:
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    ready_orders(feed, 14)
    assert len(feed.get("/api/orders/feed", params={"maxlot": 3}).json()) == 3
    assert len(feed.get("/api/orders/feed", params={"maxlot": 50}).json()) == 10
    assert len(feed.get("/api/orders/feed", params={"maxlot": 10}).json()) == 1
    assert feed.get("/api/orders/feed", params={"maxlot": 0}).status_code == 400


def test_filter_selects_statuses_and_items_have_vtex_fields(feed: httpx.Client) -> None:
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    ids = ready_orders(feed, 3)
    items = feed.get("/api/orders/feed", params={"maxlot": 10}).json()
    assert sorted(item["orderId"] for item in items) == sorted(ids)
    for item in items:
        assert item["state"] == "ready-for-handling" and item["lastState"] == "window-to-cancel"
        assert item["domain"] == "Fulfillment" and item["eventId"] and item["handle"]
        assert item["currentChange"] > item["lastChange"]


def test_uncommitted_items_come_back_after_visibility_timeout(feed: httpx.Client) -> None:
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    ready_orders(feed, 3)
    first = feed.get("/api/orders/feed", params={"maxlot": 10}).json()
    assert len(first) == 3
    assert feed.get("/api/orders/feed", params={"maxlot": 10}).json() == []
    assert feed.post("/api/orders/feed", json={"handles": [first[0]["handle"]]}).status_code == 200
    time.sleep(1.1)
    again = feed.get("/api/orders/feed", params={"maxlot": 10}).json()
    assert sorted(i["eventId"] for i in again) == sorted(i["eventId"] for i in first[1:])
    assert {i["handle"] for i in again}.isdisjoint(i["handle"] for i in first)
    # handles from the first delivery are stale now: committing them removes nothing
    feed.post("/api/orders/feed", json={"handles": [i["handle"] for i in first] + ["garbage"]})
    assert feed.get("/api/orders/feed/config").json()["quantity"] == 2
    feed.post("/api/orders/feed", json={"handles": [i["handle"] for i in again]}).raise_for_status()
    assert feed.get("/api/orders/feed/config").json()["quantity"] == 0
    time.sleep(1.1)
    assert feed.get("/api/orders/feed", params={"maxlot": 10}).json() == []


def test_every_status_change_reaches_a_match_all_feed(feed: httpx.Client) -> None:
    body = {
        "filter": {"type": "FromOrders", "expression": 'status = "ready-for-handling"'},
        "queue": {"visibilityTimeoutInSeconds": 60, "MessageRetentionPeriodInSeconds": 345600},
    }
    feed.post("/api/orders/feed/config", json=body).raise_for_status()
    [order_id] = ready_orders(feed, 1)
    feed.post(f"/api/oms/pvt/orders/{order_id}/start-handling").raise_for_status()
    states = []
    while batch := feed.get("/api/orders/feed", params={"maxlot": 10}).json():
        states += [(i["lastState"], i["state"]) for i in sorted(batch, key=lambda i: i["currentChange"])]
    assert states == [
        ("", "order-created"),
        ("order-created", "payment-pending"),
        ("payment-pending", "payment-approved"),
        ("payment-approved", "window-to-cancel"),
        ("window-to-cancel", "ready-for-handling"),
        ("ready-for-handling", "start-handling"),
        ("start-handling", "handling"),
    ]


def test_messages_expire_after_retention(feed: httpx.Client) -> None:
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    ready_orders(feed, 2)
    assert feed.get("/api/orders/feed/config").json()["quantity"] == 2
    feed.post("/_sandbox/orders/clock/advance", json={"seconds": 345600 - 10}).raise_for_status()
    ready_orders(feed, 1)  # an event inside the retention period keeps the configuration
    feed.post("/_sandbox/orders/clock/advance", json={"seconds": 20}).raise_for_status()
    items = feed.get("/api/orders/feed", params={"maxlot": 10}).json()
    assert len(items) == 1 and feed.get("/api/orders/feed/config").json()["quantity"] == 1


def test_configuration_expires_after_a_retention_period_without_events(feed: httpx.Client) -> None:
    """orders-feed guide: a feed with no events for its whole retention period loses its
    configuration; reads answer 404 until it is configured again."""
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    ready_orders(feed, 1)
    feed.post("/_sandbox/orders/clock/advance", json={"seconds": 345600 + 1}).raise_for_status()
    assert feed.get("/api/orders/feed", params={"maxlot": 10}).status_code == 404
    assert feed.get("/api/orders/feed/config").status_code == 404
    assert feed.post("/api/orders/feed", json={"handles": []}).status_code == 404
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    assert feed.get("/api/orders/feed", params={"maxlot": 10}).json() == []


def test_dropped_events_leave_orders_in_the_list(feed: httpx.Client) -> None:
    feed.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
    ids = ready_orders(feed, 4)
    assert feed.post("/_sandbox/feed/drop").json() == {"dropped": 4}
    assert feed.get("/api/orders/feed", params={"maxlot": 10}).json() == []
    listed = feed.get("/api/oms/pvt/orders", params={"f_status": "ready-for-handling"}).json()
    assert sorted(row["orderId"] for row in listed["list"]) == sorted(ids)


def test_duplicate_share_delivers_events_twice() -> None:
    config = SandboxConfig(seed=3, duplicate_feed_share=1.0, rate_limit_scale=0)
    server = SandboxServer(config)
    with server as url, httpx.Client(base_url=url, headers=auth_headers(config)) as client:
        seed_skus(server.app.state.store)
        client.post("/api/orders/feed/config", json=READY_ONLY).raise_for_status()
        ids = ready_orders(client, 3)
        items = []
        while batch := client.get("/api/orders/feed", params={"maxlot": 10}).json():
            items += batch
    assert Counter(i["orderId"] for i in items) == {order_id: 2 for order_id in ids}
    assert len({i["eventId"] for i in items}) == len({i["handle"] for i in items}) == 6
    per_order = {(i["orderId"], i["state"], i["currentChange"]) for i in items}
    assert len(per_order) == 3
