"""OMS: get and list orders, start handling, invoices, tracking and cancellation."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from vtex_sandbox import orders_sim
from vtex_sandbox.errors import bad_request
from vtex_sandbox.orders_book import ROW_KIND, OrderBook, open_book
from vtex_sandbox.orders_common import iso, oms_error, order_not_found, parse_iso
from vtex_sandbox.orders_stock import release_reservation

router = APIRouter(prefix="/api/oms/pvt/orders")

Text = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int | float) else v)]
ORDER_BY_FIELDS = {"creationDate": "creationTs", "orderId": "orderId", "items": "totalItems",
                   "totalValue": "totalValue", "origin": "origin"}
MAX_PAGE, MAX_PER_PAGE = 30, 100
NOT_CANCELABLE = ("invoice", "invoiced")


class InvoiceItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: Text
    price: int
    quantity: int = Field(gt=0)
    description: str | None = None


class Invoice(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["Output", "Input"]
    issuanceDate: str
    invoiceNumber: Text
    invoiceValue: int = Field(gt=0)  # cents; VTEX's schema says string, clients send both
    items: list[InvoiceItem] = Field(min_length=1)
    invoiceKey: str | None = None
    invoiceUrl: str | None = None
    embeddedInvoice: str | None = None
    courier: str | None = None
    trackingNumber: str | None = None
    trackingUrl: str | None = None
    dispatchedDate: str | None = None
    cfop: str | None = None
    volumes: int | None = None


class TrackingInfo(BaseModel):
    trackingNumber: str
    trackingUrl: str | None = None
    dispatchedDate: str | None = None
    courier: str | None = None


class TrackingEvent(BaseModel):
    model_config = ConfigDict(extra="allow")
    city: str | None = None
    state: str | None = None
    description: str | None = None
    date: str | None = None


class TrackingEvents(BaseModel):
    isDelivered: bool
    deliveredDate: str | None = None
    events: list[TrackingEvent] = []


class CancelRequest(BaseModel):
    reason: str | None = None
    requestedByUser: bool | None = None


def receipt(book: OrderBook, order: dict[str, Any], value: str | None = None) -> dict[str, Any]:
    return {"date": iso(book.now), "orderId": order["orderId"], "receipt": value or uuid.uuid4().hex}


def _order(book: OrderBook, order_id: str) -> dict[str, Any]:
    order = book.get(order_id)
    if order is None:
        raise order_not_found(order_id)
    return order


def _package(order: dict[str, Any], invoice_number: str) -> dict[str, Any]:
    for package in order["packageAttachment"]["packages"]:
        if package["invoiceNumber"] == invoice_number:
            return package
    raise oms_error(404, "OMS009", f"Invoice {invoice_number} not found in order {order['orderId']}")


def _output_total(order: dict[str, Any]) -> int:
    return sum(p["invoiceValue"] for p in order["packageAttachment"]["packages"] if p["type"] == "Output")


# reading -------------------------------------------------------------------------------------


@router.get("/{order_id}")
def get_order(request: Request, order_id: str) -> dict[str, Any]:
    with open_book(request) as book:
        return _order(book, order_id)


def _date_range(value: str | None, field: str) -> tuple[float, float] | None:
    if not value:
        return None
    match = re.fullmatch(rf"\s*{field}:\[(.+?)\s+TO\s+(.+?)\]\s*", value)
    if not match:
        raise bad_request(f"Invalid filter f_{field}, expected {field}:[FROM TO TO]")
    try:
        return parse_iso(match.group(1)), parse_iso(match.group(2))
    except ValueError as exc:
        raise bad_request(f"Invalid date in f_{field}") from exc


def _in_range(value: str | float | None, bounds: tuple[float, float] | None) -> bool:
    if bounds is None:
        return True
    if value is None:
        return False
    ts = value if isinstance(value, float) else parse_iso(value)
    return bounds[0] <= ts <= bounds[1]


def _stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def stat(field: str) -> dict[str, Any]:
        values = [r[field] for r in rows]
        return {"Count": len(values), "Max": max(values, default=0), "Min": min(values, default=0),
                "Mean": sum(values) / len(values) if values else 0, "Missing": 0, "Sum": sum(values),
                "Facets": {}}

    return {"stats": {"totalValue": stat("totalValue"), "totalItems": stat("totalItems")}}


@router.get("")
def list_orders(
    request: Request,
    f_status: str | None = None,
    f_creationDate: str | None = None,  # noqa: N803  (VTEX's query names)
    f_invoicedDate: str | None = None,  # noqa: N803
    orderBy: str = "creationDate,desc",  # noqa: N803
    page: int = 1,
    per_page: int = 15,
) -> dict[str, Any]:
    """VTEX's list orders: filters, ordering and pages (at most 30 pages of at most 100)."""
    if not 1 <= page <= MAX_PAGE:
        raise bad_request(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise bad_request(f"per_page must be between 1 and {MAX_PER_PAGE}")
    created = _date_range(f_creationDate, "creationDate")
    invoiced = _date_range(f_invoicedDate, "invoicedDate")
    field, _, direction = orderBy.partition(",")
    if field not in ORDER_BY_FIELDS or direction.lower() not in ("", "asc", "desc"):
        raise bad_request(f"Invalid orderBy {orderBy}")
    with open_book(request) as book:
        if f_status:
            rows = [r for s in f_status.split(",") for r in book.store.find(ROW_KIND, status=s.strip())]
        else:
            rows = book.store.all(ROW_KIND)
    rows = [r for r in rows if _in_range(r["creationTs"], created) and _in_range(r["invoicedDate"], invoiced)]
    rows.sort(key=lambda r: (r[ORDER_BY_FIELDS[field]], r["orderId"]), reverse=direction.lower() == "desc")
    start = (page - 1) * per_page
    listed = [{k: v for k, v in r.items() if k != "creationTs"} for r in rows[start : start + per_page]]
    return {
        "list": listed,
        "facets": [],
        "paging": {"total": len(rows), "pages": -(-len(rows) // per_page), "currentPage": page,
                   "perPage": per_page},
        "stats": _stats(rows),
    }


# writing -------------------------------------------------------------------------------------


@router.post("/{order_id}/start-handling", status_code=204)
def start_handling(request: Request, order_id: str) -> Response:
    with open_book(request) as book:
        order = _order(book, order_id)
        if order["status"] != "ready-for-handling":
            raise oms_error(409, "OMS003", "Order status should be ready-for-handling to perform this action")
        book.change_status(order, "start-handling")
        book.change_status(order, "handling")
    return Response(status_code=204)


def _invoice_items(order: dict[str, Any], invoice: Invoice) -> list[dict[str, Any]]:
    index = {item["id"]: i for i, item in reversed(list(enumerate(order["items"])))}
    unknown = [item.id for item in invoice.items if item.id not in index]
    if unknown:
        raise bad_request(f"Invoice items not in order {order['orderId']}: {', '.join(unknown)}")
    return [{"itemIndex": index[item.id], "id": item.id, "quantity": item.quantity, "price": item.price,
             "description": item.description, "unitMultiplier": 1.0} for item in invoice.items]


def _check_invoice_allowed(order: dict[str, Any], invoice: Invoice, existing: bool) -> None:
    status = order["status"]
    if invoice.type == "Input":
        if status != "invoiced":
            raise bad_request("An Input (return) invoice needs the order to be fully invoiced first")
    elif not existing and status != "handling":
        raise oms_error(409, "OMS004", f"Order in status {status} cannot receive a new invoice")


@router.post("/{order_id}/invoice")
def invoice_order(request: Request, order_id: str, invoice: Invoice) -> dict[str, Any]:
    """Record an invoice; the order goes invoiced once Output invoices reach its value."""
    with open_book(request) as book:
        order = _order(book, order_id)
        packages = order["packageAttachment"]["packages"]
        existing = next((p for p in packages if p["invoiceNumber"] == invoice.invoiceNumber), None)
        _check_invoice_allowed(order, invoice, existing is not None)
        package = {
            **invoice.model_dump(exclude={"items"}),
            "items": _invoice_items(order, invoice),
            "courierStatus": existing.get("courierStatus") if existing else None,
            "restitutions": {},
            "receipt": uuid.uuid4().hex,
        }
        if existing is not None:
            packages[packages.index(existing)] = package
        else:
            packages.append(package)
        book.save(order)
        fully_invoiced = _output_total(order) >= order["value"]
        if invoice.type == "Output" and order["status"] == "handling" and fully_invoiced:
            book.change_status(order, "invoice")
            order["invoicedDate"] = iso(book.now)
            order["allowCancellation"] = False
            book.change_status(order, "invoiced")
            release_reservation(book.store, order["orderId"], consumed=True)
        return receipt(book, order, package["receipt"])


@router.patch("/{order_id}/invoice/{invoice_number}")
def update_tracking(request: Request, order_id: str, invoice_number: str, body: TrackingInfo) -> dict:
    with open_book(request) as book:
        order = _order(book, order_id)
        _package(order, invoice_number).update(body.model_dump())
        book.save(order)
        return receipt(book, order)


@router.put("/{order_id}/invoice/{invoice_number}/tracking")
def tracking_events(request: Request, order_id: str, invoice_number: str, body: TrackingEvents) -> dict:
    """Carrier events on an invoice; the order status does not change."""
    with open_book(request) as book:
        order = _order(book, order_id)
        package = _package(order, invoice_number)
        package["courierStatus"] = {
            "status": "delivered" if body.isDelivered else "in-transit",
            "finished": body.isDelivered,
            "deliveredDate": body.deliveredDate,
            "data": [event.model_dump() for event in body.events],
        }
        book.save(order)
        return receipt(book, order)


@router.post("/{order_id}/cancel")
def cancel_order(request: Request, order_id: str, body: CancelRequest | None = None) -> dict[str, Any]:
    """Cancel an order not yet invoiced (also accepts a shopper's cancellation request)."""
    body = body or CancelRequest()
    with open_book(request) as book:
        order = _order(book, order_id)
        if order["status"] == "canceled":
            return receipt(book, order)
        if order["status"] in NOT_CANCELABLE or _output_total(order) > 0:
            raise oms_error(400, "OMS011", "Order cannot be canceled: it is invoiced or partially invoiced")
        book.change_status(order, "cancel")
        order["allowCancellation"] = False
        order["cancelReason"] = body.reason
        order["cancellationData"] = {
            "RequestedByUser": bool(body.requestedByUser), "RequestedBySystem": False,
            "RequestedBySellerNotification": not body.requestedByUser,
            "RequestedByPaymentNotification": False, "Reason": body.reason,
            "CancellationDate": iso(book.now),
        }
        book.change_status(order, "canceled")
        for timer in ("ready", "cancel-request"):
            book.unschedule(f"{timer}:{order['orderId']}")
        book.store.delete(orders_sim.CANCEL_REQUEST_KIND, order["orderId"])
        release_reservation(book.store, order["orderId"])
        return receipt(book, order)
