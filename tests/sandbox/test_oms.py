"""OMS routes of the sandbox over real HTTP: get/list orders, start handling, invoices, cancel."""

from __future__ import annotations

import httpx
import pytest

from vtex_sandbox.server import SandboxServer


def seed_skus(store, prices: dict[int, float], stock: int = 50) -> None:
    """Active SKUs with a base price (decimal, like the Pricing API) and stock in one warehouse."""
    for sku_id, price in prices.items():
        store.put(
            "skus",
            sku_id,
            {
                "Id": sku_id,
                "ProductId": 100 + sku_id,
                "RefId": f"REF-{sku_id}",
                "Name": f"Item {sku_id}",
                "IsActive": True,
            },
        )
        store.put("prices", sku_id, {"itemId": str(sku_id), "basePrice": price, "listPrice": price})
        stock_doc = {
            "skuId": str(sku_id),
            "warehouseId": "wh1",
            "quantity": stock,
            "unlimitedQuantity": False,
            "reservedQuantity": 0,
        }
        store.put("inventory", f"{sku_id}-wh1", stock_doc)


@pytest.fixture
def oms(vtex: httpx.Client, sandbox_server: SandboxServer) -> httpx.Client:
    seed_skus(sandbox_server.app.state.store, {1: 10.0, 2: 25.5})
    return vtex


def new_order(client: httpx.Client, items: list[dict], ready: bool = True) -> dict:
    created = client.post("/_sandbox/orders", json={"orders": [{"items": items}]})
    assert created.status_code == 200, created.text
    if ready:
        client.post("/_sandbox/orders/ready").raise_for_status()
    return client.get(f"/api/oms/pvt/orders/{created.json()['orderIds'][0]}").json()


def handling_order(client: httpx.Client) -> dict:
    order = new_order(client, [{"id": "1", "quantity": 2}, {"id": "2", "quantity": 1}])
    assert client.post(f"/api/oms/pvt/orders/{order['orderId']}/start-handling").status_code == 204
    return client.get(f"/api/oms/pvt/orders/{order['orderId']}").json()


def invoice(order: dict, number: str, value: int | str, kind: str = "Output") -> dict:
    items = [{"id": i["id"], "price": i["price"], "quantity": i["quantity"]} for i in order["items"]]
    return {
        "type": kind,
        "issuanceDate": "2024-05-01T10:00:00Z",
        "invoiceNumber": number,
        "invoiceValue": value,
        "items": items,
        "invoiceKey": None,
        "trackingNumber": "",
        "trackingUrl": "",
    }


def test_get_order_has_vtex_shape_with_cent_values(oms: httpx.Client) -> None:
    order = new_order(oms, [{"id": "1", "quantity": 2}, {"id": "2", "quantity": 1}])
    assert order["status"] == "ready-for-handling"
    by_sku = {item["id"]: item for item in order["items"]}
    assert by_sku["1"]["price"] == 1000 and by_sku["2"]["price"] == 2550
    assert by_sku["1"]["quantity"] == 2 and by_sku["1"]["refId"] == "REF-1"
    totals = {t["id"]: t["value"] for t in order["totals"]}
    assert totals["Items"] == 2 * 1000 + 2550
    assert order["value"] == sum(totals.values())
    assert order["clientProfileData"]["email"] and order["shippingData"]["address"]["postalCode"]
    assert len(order["shippingData"]["logisticsInfo"]) == 2
    by_sequence = oms.get(f"/api/oms/pvt/orders/{order['sequence']}")
    assert by_sequence.json()["orderId"] == order["orderId"]
    missing = oms.get("/api/oms/pvt/orders/999-01")
    assert missing.status_code == 404 and "error" in missing.json()


def test_start_handling_once_then_oms003(oms: httpx.Client) -> None:
    order = new_order(oms, [{"id": "1", "quantity": 1}])
    url = f"/api/oms/pvt/orders/{order['orderId']}/start-handling"
    first = oms.post(url)
    assert first.status_code == 204 and first.content == b""
    assert oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()["status"] == "handling"
    again = oms.post(url)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "OMS003"


def test_start_handling_refused_before_ready(oms: httpx.Client) -> None:
    order = new_order(oms, [{"id": "1", "quantity": 1}], ready=False)
    assert order["status"] == "window-to-cancel"
    assert oms.post(f"/api/oms/pvt/orders/{order['orderId']}/start-handling").status_code == 409


def test_partial_then_full_invoice_and_resent_invoice_number(oms: httpx.Client) -> None:
    order = handling_order(oms)
    url = f"/api/oms/pvt/orders/{order['orderId']}/invoice"
    part = order["value"] // 3
    first = oms.post(url, json=invoice(order, "NF-1", str(part)))  # string cents, as VTEX's schema says
    assert first.status_code == 200 and first.json()["orderId"] == order["orderId"]
    assert oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()["status"] == "handling"
    resent = oms.post(url, json=invoice(order, "NF-1", part))
    assert resent.status_code == 200 and resent.json()["receipt"] != first.json()["receipt"]
    after_resend = oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()
    assert [p["invoiceNumber"] for p in after_resend["packageAttachment"]["packages"]] == ["NF-1"]
    assert after_resend["status"] == "handling"
    rest = oms.post(url, json=invoice(order, "NF-2", order["value"] - part))
    assert rest.status_code == 200
    final = oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()
    assert final["status"] == "invoiced" and final["invoicedDate"]
    assert sum(p["invoiceValue"] for p in final["packageAttachment"]["packages"]) == order["value"]


def test_invoice_needs_items_and_known_skus(oms: httpx.Client) -> None:
    order = handling_order(oms)
    url = f"/api/oms/pvt/orders/{order['orderId']}/invoice"
    body = invoice(order, "NF-9", order["value"])
    assert oms.post(url, json={**body, "items": []}).status_code == 400
    unknown = {**body, "items": [{"id": "777", "price": 1, "quantity": 1}]}
    assert oms.post(url, json=unknown).status_code == 400
    assert oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()["packageAttachment"]["packages"] == []


def test_tracking_number_and_events_keep_status(oms: httpx.Client) -> None:
    order = handling_order(oms)
    base = f"/api/oms/pvt/orders/{order['orderId']}/invoice"
    oms.post(base, json=invoice(order, "NF-1", order["value"])).raise_for_status()
    patch = oms.patch(
        f"{base}/NF-1",
        json={
            "trackingNumber": "TRK1",
            "trackingUrl": "https://t.example/TRK1",
            "dispatchedDate": None,
            "courier": "Fast",
        },
    )
    assert patch.status_code == 200 and patch.json()["receipt"]
    events = {
        "isDelivered": True,
        "deliveredDate": "2024-05-03 10:00",
        "events": [{"city": "Austin", "state": "TX", "description": "Delivered", "date": "2024-05-03"}],
    }
    assert oms.put(f"{base}/NF-1/tracking", json=events).status_code == 200
    package = oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()["packageAttachment"]["packages"][0]
    assert package["trackingNumber"] == "TRK1" and package["courier"] == "Fast"
    assert package["courierStatus"]["finished"] is True
    assert package["courierStatus"]["data"][0]["description"] == "Delivered"
    assert oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()["status"] == "invoiced"
    assert (
        oms.patch(
            f"{base}/NOPE",
            json={"trackingNumber": "x", "trackingUrl": None, "dispatchedDate": None, "courier": None},
        ).status_code
        == 404
    )


def test_cancel_before_invoice_releases_stock(oms: httpx.Client, sandbox_server: SandboxServer) -> None:
    store = sandbox_server.app.state.store
    order = new_order(oms, [{"id": "1", "quantity": 3}])
    assert store.get("inventory", "1-wh1")["reservedQuantity"] == 3
    answer = oms.post(f"/api/oms/pvt/orders/{order['orderId']}/cancel", json={"reason": "customer gave up"})
    assert answer.status_code == 200 and answer.json()["orderId"] == order["orderId"]
    canceled = oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()
    assert canceled["status"] == "canceled"
    assert canceled["cancellationData"]["Reason"] == "customer gave up"
    assert store.get("inventory", "1-wh1")["reservedQuantity"] == 0


def test_cancel_refused_once_invoiced_or_partially_invoiced(oms: httpx.Client) -> None:
    partial = handling_order(oms)
    oms.post(
        f"/api/oms/pvt/orders/{partial['orderId']}/invoice", json=invoice(partial, "P-1", 100)
    ).raise_for_status()
    refused = oms.post(f"/api/oms/pvt/orders/{partial['orderId']}/cancel", json={"reason": "x"})
    assert refused.status_code == 400
    full = handling_order(oms)
    oms.post(
        f"/api/oms/pvt/orders/{full['orderId']}/invoice", json=invoice(full, "F-1", full["value"])
    ).raise_for_status()
    refused = oms.post(f"/api/oms/pvt/orders/{full['orderId']}/cancel", json={"reason": "x"})
    assert refused.status_code == 400
    assert oms.get(f"/api/oms/pvt/orders/{full['orderId']}").json()["status"] == "invoiced"


def test_input_invoice_only_after_full_invoicing(oms: httpx.Client) -> None:
    order = handling_order(oms)
    url = f"/api/oms/pvt/orders/{order['orderId']}/invoice"
    assert oms.post(url, json=invoice(order, "RET-1", 500, kind="Input")).status_code == 400
    oms.post(url, json=invoice(order, "NF-1", order["value"])).raise_for_status()
    assert oms.post(url, json=invoice(order, "RET-1", 500, kind="Input")).status_code == 200
    after = oms.get(f"/api/oms/pvt/orders/{order['orderId']}").json()
    assert after["status"] == "invoiced"
    assert sorted(p["type"] for p in after["packageAttachment"]["packages"]) == ["Input", "Output"]


def test_list_orders_filters_and_pages(oms: httpx.Client) -> None:
    ids = oms.post("/_sandbox/orders", json={"count": 7}).json()["orderIds"]
    oms.post("/_sandbox/orders/ready").raise_for_status()
    oms.post(f"/api/oms/pvt/orders/{ids[0]}/start-handling").raise_for_status()
    ready = oms.get("/api/oms/pvt/orders", params={"f_status": "ready-for-handling", "per_page": 4}).json()
    assert ready["paging"] == {"total": 6, "pages": 2, "currentPage": 1, "perPage": 4}
    page2 = oms.get(
        "/api/oms/pvt/orders", params={"f_status": "ready-for-handling", "per_page": 4, "page": 2}
    ).json()
    listed = [row["orderId"] for row in ready["list"] + page2["list"]]
    assert sorted(listed) == sorted(ids[1:])
    assert all(row["status"] == "ready-for-handling" for row in ready["list"] + page2["list"])
    params = {"orderBy": "creationDate,asc", "per_page": 100}
    oldest_first = oms.get("/api/oms/pvt/orders", params=params).json()
    assert [row["orderId"] for row in oldest_first["list"]] == ids
    window = "creationDate:[2001-01-01T00:00:00.000Z TO 2001-01-02T00:00:00.000Z]"
    assert oms.get("/api/oms/pvt/orders", params={"f_creationDate": window}).json()["paging"]["total"] == 0
    assert oms.get("/api/oms/pvt/orders", params={"page": 31}).status_code == 400
    assert oms.get("/api/oms/pvt/orders", params={"per_page": 101}).status_code == 400
