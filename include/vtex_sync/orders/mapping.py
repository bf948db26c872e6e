"""Turn a VTEX order into the ERP's sales order, lines and customer rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from vtex_provider.models.oms import Order

Row = dict[str, Any]


class UnknownSkuError(LookupError):
    """An order line names a VTEX SKU that the id map does not know."""

    def __init__(self, order_id: str, sku_ids: list[str]) -> None:
        self.order_id = order_id
        self.sku_ids = sku_ids
        super().__init__(f"order {order_id}: SKU(s) {', '.join(sku_ids)} not in the id map")


def parse_time(value: str | None) -> datetime | None:
    """VTEX timestamps (up to 7 fractional digits, trailing Z) as aware datetimes."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    head, sep, tail = text.partition(".")
    if sep:
        digits = "".join(ch for ch in tail if ch.isdigit())
        zone = tail[len(digits):]
        text = f"{head}.{digits[:6]}{zone}"
    return datetime.fromisoformat(text)


def order_rows(order: Order, sku_ref_for: Callable[[str], str | None]) -> tuple[Row, list[Row], Row | None]:
    """(sales order, lines, customer) for `order`; `sku_ref_for` maps a VTEX SKU id to its ERP ref."""
    refs = {item.id: sku_ref_for(item.id) for item in order.items}
    missing = sorted({sku for sku, ref in refs.items() if ref is None})
    if missing:
        raise UnknownSkuError(order.order_id, missing)
    profile = order.client_profile_data
    header = {
        "vtex_order_id": order.order_id,
        "vtex_status": order.status,
        "total_cents": order.value,
        "customer_email": profile.email if profile else None,
        "customer_document": profile.document if profile else None,
        "sales_channel": order.sales_channel,
        "created_at": parse_time(order.creation_date),
        "raw_order": order.model_dump(mode="json", by_alias=True, exclude_none=True),
    }
    lines = [
        {
            "sku_ref_id": refs[item.id],
            "vtex_sku_id": item.id,
            "name": item.name,
            "quantity": item.quantity,
            "unit_price_cents": item.selling_price if item.selling_price is not None else item.price or 0,
            "list_price_cents": item.list_price,
            "selling_price_cents": item.selling_price,
        }
        for item in order.items
    ]
    return header, lines, customer_row(order)


def customer_row(order: Order) -> Row | None:
    profile = order.client_profile_data
    address = order.shipping_data.address if order.shipping_data else None
    if profile is None and address is None:
        return None
    row: Row = {}
    if profile is not None:
        row |= {"email": profile.email, "first_name": profile.first_name, "last_name": profile.last_name,
                "document": profile.document, "phone": profile.phone}
    if address is not None:
        row |= {"receiver_name": address.receiver_name, "street": address.street, "number": address.number,
                "complement": address.complement, "neighborhood": address.neighborhood, "city": address.city,
                "state": address.state, "country": address.country, "postal_code": address.postal_code}
    return row
