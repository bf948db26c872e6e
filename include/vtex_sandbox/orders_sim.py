"""Order simulator: creates sandbox orders and moves them through VTEX statuses.

A new order runs order-created -> payment-pending -> payment-approved -> window-to-cancel at
once, then waits ``order_clock`` seconds (from payment approval) for ready-for-handling. A
share ``cancel_request_share`` of orders later gets a shopper cancellation request, one
``order_clock`` after becoming ready, if it is then ready-for-handling or handling.
"""

from __future__ import annotations

import uuid
from typing import Any

from vtex_sandbox import orders_hook
from vtex_sandbox.orders_book import OrderBook, timer_action
from vtex_sandbox.orders_common import STATUS_DESCRIPTIONS, iso
from vtex_sandbox.orders_feed_queue import status_event
from vtex_sandbox.orders_stock import SellableSku, StockBook, warehouse_of

CANCEL_REQUEST_KIND = "order_cancel_requests"
STEP = 0.001  # seconds between the near-instant first statuses

FIRST_NAMES = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Felipe", "Grace", "Hugo", "Iris", "Jonas"]
LAST_NAMES = ["Silva", "Smith", "Costa", "Miller", "Santos", "Brown", "Oliveira", "Davis", "Lima", "Clark"]
PLACES = [
    ("New York", "NY", "10001", "Broadway"),
    ("Austin", "TX", "73301", "Congress Avenue"),
    ("Seattle", "WA", "98101", "Pike Street"),
    ("Miami", "FL", "33101", "Ocean Drive"),
    ("Chicago", "IL", "60601", "Michigan Avenue"),
]
SHIPPING_PRICES = [0, 500, 990, 1500]


class OrderRequestError(ValueError):
    """An order the simulator cannot create (unknown, inactive or out-of-stock SKU)."""


def random_customer(book: OrderBook) -> tuple[dict[str, Any], dict[str, Any]]:
    """A shopper (clientProfileData) and an address drawn from the seeded generator."""
    rng = book.rng
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    city, state, postal, street = rng.choice(PLACES)
    profile = {
        "id": "clientProfileData",
        "email": f"{first}.{last}{rng.randint(1, 9999)}@example.com".lower(),
        "firstName": first,
        "lastName": last,
        "documentType": "cpf",
        "document": "".join(str(rng.randint(0, 9)) for _ in range(11)),
        "phone": "+1555" + "".join(str(rng.randint(0, 9)) for _ in range(7)),
        "corporateName": None,
        "tradeName": None,
        "corporateDocument": None,
        "stateInscription": None,
        "corporatePhone": None,
        "isCorporate": False,
        "userProfileId": str(uuid.UUID(int=rng.getrandbits(128))),
        "customerClass": None,
    }
    address: dict[str, Any] = {
        "addressType": "residential",
        "receiverName": f"{first} {last}",
        "addressId": uuid.UUID(int=rng.getrandbits(128)).hex,
        "postalCode": postal,
        "city": city,
        "state": state,
        "country": "USA",
        "street": street,
        "number": str(rng.randint(1, 2000)),
        "neighborhood": "Downtown",
        "complement": None,
        "reference": None,
        "geoCoordinates": [],
    }
    return profile, address


def random_lines(book: OrderBook, stock: StockBook) -> list[tuple[str, int]]:
    """One to three distinct in-stock SKUs, one or two units each."""
    candidates = stock.in_stock()
    if not candidates:
        raise OrderRequestError("No active SKU with a price and stock to sell")
    picked = book.rng.sample(candidates, min(len(candidates), book.rng.randint(1, 3)))
    return [(str(s.sku["Id"]), int(min(s.available, book.rng.randint(1, 2)))) for s in picked]


def order_item(sku: SellableSku, quantity: int) -> dict[str, Any]:
    doc = sku.sku
    return {
        "uniqueId": uuid.uuid4().hex.upper(),
        "id": str(doc["Id"]),
        "productId": str(doc.get("ProductId")),
        "ean": sku.ean,
        "lockId": None,
        "itemAttachment": {"content": {}, "name": None},
        "attachments": [],
        "quantity": quantity,
        "seller": "1",
        "name": doc.get("Name"),
        "refId": doc.get("RefId"),
        "price": sku.price,
        "listPrice": sku.list_price,
        "manualPrice": None,
        "priceTags": [],
        "imageUrl": None,
        "detailUrl": None,
        "components": [],
        "bundleItems": [],
        "params": [],
        "offerings": [],
        "sellerSku": str(doc["Id"]),
        "priceValidUntil": None,
        "commission": 0,
        "tax": 0,
        "preSaleDate": None,
        "additionalInfo": {
            "brandName": None, "brandId": None, "categoriesIds": None, "productClusterId": None,
        },
        "measurementUnit": doc.get("MeasurementUnit") or "un",
        "unitMultiplier": doc.get("UnitMultiplier") or 1,
        "sellingPrice": sku.price,
        "isGift": False,
        "shippingPrice": None,
        "rewardValue": 0,
        "freightCommission": 0,
        "priceDefinition": {
            "sellingPrices": [{"value": sku.price, "quantity": quantity}],
            "calculatedSellingPrice": sku.price,
            "total": sku.price * quantity,
        },
    }


def _logistics(index: int, item: dict, price: int, warehouse: str | None, created: float) -> dict:
    sla = {"id": "Normal", "name": "Normal", "shippingEstimate": "5bd", "price": price}
    return {
        "itemIndex": index,
        "selectedSla": "Normal",
        "lockTTL": "10d",
        "price": price,
        "listPrice": price,
        "sellingPrice": price,
        "deliveryWindow": None,
        "deliveryCompany": "Sandbox Courier",
        "shippingEstimate": "5bd",
        "shippingEstimateDate": iso(created + 5 * 86400),
        "slas": [sla],
        "shipsTo": ["USA"],
        "deliveryIds": [{
            "courierId": "1", "courierName": "Sandbox Courier", "dockId": "1",
            "quantity": item["quantity"], "warehouseId": warehouse, "accountCarrierName": None,
        }],
        "deliveryChannel": "delivery",
        "pickupStoreInfo": {"isPickupStore": False, "friendlyName": None, "address": None, "dockId": None},
        "addressId": None,
        "polygonName": None,
    }


def order_totals(items: list[dict[str, Any]], shipping: int) -> list[dict[str, Any]]:
    return [
        {"id": "Items", "name": "Total dos Itens", "value": sum(i["price"] * i["quantity"] for i in items)},
        {"id": "Discounts", "name": "Total dos Descontos", "value": 0},
        {"id": "Shipping", "name": "Total do Frete", "value": shipping},
        {"id": "Tax", "name": "Total da Taxa", "value": 0},
    ]


def build_order(
    book: OrderBook, stock: StockBook, lines: list[tuple[str, int]], profile: dict | None, created: float
) -> dict[str, Any]:
    """A new order in VTEX's Get-order shape (status order-created); reserves its stock."""
    account = book.config.account
    sequence = book.store.next_id("order_sequence", start=500001)
    order_id = f"{1_000_000_000_000 + sequence}-01"
    customer, address = random_customer(book)
    customer.update(profile or {})
    reservation = stock.reserve(order_id, lines)
    items = [order_item(stock.skus[sku_id], qty) for sku_id, qty in lines]
    shipping = book.rng.choice(SHIPPING_PRICES)
    logistics = [
        _logistics(i, item, shipping if i == 0 else 0, warehouse_of(reservation, item["id"]), created)
        for i, item in enumerate(items)
    ]
    totals = order_totals(items, shipping)
    value = sum(t["value"] for t in totals)
    payment = {
        "id": uuid.uuid4().hex.upper(), "paymentSystem": "2", "paymentSystemName": "Visa",
        "value": value, "installments": 1, "referenceValue": value, "cardHolder": None,
        "firstDigits": "411111", "lastDigits": "1111", "group": "creditCard", "tid": None,
        "dueDate": None, "connectorResponses": {}, "giftCardId": None, "redemptionCode": None,
    }
    when = iso(created)
    return {
        "orderId": order_id,
        "sequence": str(sequence),
        "marketplaceOrderId": "",
        "marketplaceServicesEndpoint": None,
        "sellerOrderId": f"00-{order_id}",
        "origin": "Marketplace",
        "affiliateId": "",
        "salesChannel": "1",
        "merchantName": None,
        "status": "order-created",
        "workflowIsInError": False,
        "statusDescription": STATUS_DESCRIPTIONS["order-created"],
        "value": value,
        "creationDate": when,
        "lastChange": when,
        "orderGroup": str(1_000_000_000_000 + sequence),
        "followUpEmail": None,
        "lastMessage": None,
        "hostname": account,
        "isCompleted": True,
        "roundingError": 0,
        "orderFormId": uuid.uuid4().hex,
        "allowCancellation": True,
        "allowEdition": False,
        "isCheckedIn": False,
        "authorizedDate": None,
        "invoicedDate": None,
        "cancelReason": None,
        "checkedInPickupPointId": None,
        "totals": totals,
        "sellers": [{"id": "1", "name": account, "logo": "", "fulfillmentEndpoint": None}],
        "clientPreferencesData": {"locale": "en-US", "optinNewsLetter": False},
        "cancellationData": None,
        "taxData": None,
        "subscriptionData": None,
        "itemMetadata": {"Items": [{"Id": i["id"], "Seller": "1", "Name": i["name"], "SkuName": i["name"],
                                    "ProductId": i["productId"], "RefId": i["refId"], "Ean": i["ean"],
                                    "ImageUrl": None, "DetailUrl": None, "AssemblyOptions": []}
                                   for i in items]},
        "marketplace": {"baseURL": None, "isCertified": None, "name": account},
        "storePreferencesData": {
            "countryCode": "USA", "currencyCode": "USD", "currencyLocale": 1033, "currencySymbol": "$",
            "timeZone": "Eastern Standard Time",
            "currencyFormatInfo": {"CurrencyDecimalDigits": 2, "CurrencyDecimalSeparator": ".",
                                   "CurrencyGroupSeparator": ",", "CurrencyGroupSize": 3,
                                   "StartsWithCurrencySymbol": True},
        },
        "customData": None,
        "commercialConditionData": None,
        "openTextField": None,
        "invoiceData": None,
        "changesAttachment": None,
        "callCenterOperatorData": None,
        "packageAttachment": {"packages": []},
        "paymentData": {"giftCards": [], "transactions": [
            {"isActive": True, "transactionId": uuid.uuid4().hex.upper(), "merchantName": account,
             "payments": [payment]},
        ]},
        "shippingData": {
            "id": "shippingData", "address": address, "logisticsInfo": logistics, "trackingHints": None,
            "selectedAddresses": [address],
        },
        "ratesAndBenefitsData": {"id": "ratesAndBenefitsData", "rateAndBenefitsIdentifiers": []},
        "marketingData": None,
        "giftRegistryData": None,
        "clientProfileData": customer,
        "items": items,
        "marketplaceItems": [],
    }


def create_orders(book: OrderBook, requests: list[dict[str, Any]]) -> list[str]:
    """Create one order per request: ``{"items": [{id, quantity}], "clientProfileData": {...}}``,
    or ``{}`` for random items. Raises ``OrderRequestError``; run it where that rolls back."""
    stock = StockBook(book.store)
    wanted: dict[str, int] = {}
    for request in requests:
        for item in request.get("items") or []:
            sku_id, quantity = str(item.get("id")), int(item.get("quantity", 1))
            wanted[sku_id] = wanted.get(sku_id, 0) + quantity
            problem = stock.why_not(sku_id, quantity) or stock.why_not(sku_id, wanted[sku_id])
            if problem:
                raise OrderRequestError(problem)
    order_ids = []
    for request in requests:
        if request.get("items"):
            lines = [(str(i["id"]), int(i.get("quantity", 1))) for i in request["items"]]
        else:
            lines = random_lines(book, stock)
        order = build_order(book, stock, lines, request.get("clientProfileData"), book.now)
        start(book, order)
        order_ids.append(order["orderId"])
    return order_ids


def start(book: OrderBook, order: dict[str, Any]) -> None:
    """Publish the new order and run it up to window-to-cancel; schedule ready-for-handling."""
    created = book.now
    book.save(order)
    event = status_event(order["orderId"], "order-created", "", created, created)
    book.feed.publish(event, created, book.config.duplicate_feed_share, book.rng)
    orders_hook.publish(book, event, created)
    book.change_status(order, "payment-pending", created + STEP)
    approved = created + 2 * STEP
    order["authorizedDate"] = iso(approved)
    book.change_status(order, "payment-approved", approved)
    book.change_status(order, "window-to-cancel", created + 3 * STEP)
    wants_cancel = book.rng.random() < book.config.cancel_request_share
    book.schedule(f"ready:{order['orderId']}", "ready", approved + book.config.order_clock,
                  orderId=order["orderId"], cancelRequest=wants_cancel)


@timer_action("ready")
def _become_ready(book: OrderBook, timer: dict[str, Any]) -> None:
    order = book.get(timer["orderId"])
    if order is None or order["status"] != "window-to-cancel":
        return
    book.change_status(order, "ready-for-handling", timer["due"])
    if timer.get("cancelRequest"):
        due = timer["due"] + book.config.order_clock
        book.schedule(f"cancel-request:{order['orderId']}", "cancel-request", due, orderId=order["orderId"])


@timer_action("cancel-request")
def _shopper_asks_to_cancel(book: OrderBook, timer: dict[str, Any]) -> None:
    order = book.get(timer["orderId"])
    if order is not None:
        request_cancellation(book, order, "Shopper asked to cancel", timer["due"])


def request_cancellation(
    book: OrderBook, order: dict[str, Any], reason: str, at: float | None = None
) -> bool:
    """Put a shopper's cancellation request on an order in ready-for-handling or handling."""
    if order["status"] not in ("ready-for-handling", "handling"):
        return False
    book.store.put(CANCEL_REQUEST_KIND, order["orderId"], {
        "orderId": order["orderId"], "previousStatus": order["status"], "reason": reason,
    })
    book.change_status(order, "cancellation-requested", at)
    return True


def deny_cancellation(book: OrderBook, order: dict[str, Any]) -> bool:
    """The seller refuses the shopper's request: the order goes back to where it was."""
    pending = book.store.get(CANCEL_REQUEST_KIND, order["orderId"])
    if pending is None or order["status"] != "cancellation-requested":
        return False
    book.store.delete(CANCEL_REQUEST_KIND, order["orderId"])
    book.change_status(order, pending["previousStatus"])
    return True


def make_ready_now(book: OrderBook) -> int:
    """Fire every pending ready-for-handling timer now (tests and benchmarks skip the wait)."""
    for timer in book.timers.values():
        if timer["action"] == "ready":
            timer["due"] = min(timer["due"], book.now)
    return book.advance(only="ready")
