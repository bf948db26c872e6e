"""OMS payloads (camelCase; money in integer cents): orders, feed v3, invoices, changes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, Field

from vtex_provider.models.base import CamelModel, VtexModel

# -- orders ---------------------------------------------------------------------------------


class OrderItem(CamelModel):
    unique_id: str | None = None
    id: str
    product_id: str | None = None
    ref_id: str | None = None
    ean: str | None = None
    name: str | None = None
    quantity: int
    seller: str | None = None
    price: int | None = None
    list_price: int | None = None
    selling_price: int | None = None
    measurement_unit: str | None = None
    unit_multiplier: float | None = None


class Total(CamelModel):
    id: str
    name: str | None = None
    value: int = 0


class ClientProfile(CamelModel):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    document_type: str | None = None
    document: str | None = None
    phone: str | None = None
    is_corporate: bool | None = None
    corporate_name: str | None = None
    corporate_document: str | None = None
    user_profile_id: str | None = None


class Address(CamelModel):
    address_type: str | None = None
    receiver_name: str | None = None
    address_id: str | None = None
    postal_code: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    street: str | None = None
    number: str | None = None
    neighborhood: str | None = None
    complement: str | None = None
    reference: str | None = None


class LogisticsInfo(CamelModel):
    item_index: int
    selected_sla: str | None = None
    lock_ttl: str | None = None
    price: int | None = None
    shipping_estimate: str | None = None
    shipping_estimate_date: str | None = None
    delivery_channel: str | None = None
    selected_delivery_channel: str | None = None
    delivery_ids: list[dict[str, Any]] = Field(default_factory=list)


class ShippingData(CamelModel):
    address: Address | None = None
    logistics_info: list[LogisticsInfo] = Field(default_factory=list)


class Package(CamelModel):
    items: list[dict[str, Any]] = Field(default_factory=list)
    courier: str | None = None
    invoice_number: str | None = None
    invoice_value: int | None = None
    invoice_url: str | None = None
    issuance_date: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    invoice_key: str | None = None
    type: str | None = None


class PackageAttachment(CamelModel):
    packages: list[Package] = Field(default_factory=list)


class Order(CamelModel):
    """Response of `GET /api/oms/pvt/orders/{orderId}` (the fields the back office uses)."""

    order_id: str
    sequence: str | None = None
    status: str
    value: int = 0
    creation_date: str | None = None
    last_change: str | None = None
    order_group: str | None = None
    sales_channel: str | None = None
    origin: str | None = None
    affiliate_id: str | None = None
    items: list[OrderItem] = Field(default_factory=list)
    totals: list[Total] = Field(default_factory=list)
    client_profile_data: ClientProfile | None = None
    shipping_data: ShippingData | None = None
    package_attachment: PackageAttachment | None = None
    invoice_data: dict[str, Any] | None = None
    payment_data: dict[str, Any] | None = None
    marketplace_order_id: str | None = None
    seller_order_id: str | None = None
    is_completed: bool | None = None
    allow_cancellation: bool | None = None
    authorized_date: str | None = None
    invoiced_date: str | None = None
    cancel_reason: str | None = None


class OrderSummary(CamelModel):
    """An entry of the list-orders response (no items)."""

    order_id: str
    sequence: str | None = None
    status: str | None = None
    creation_date: str | None = None
    last_change: str | None = None
    total_value: int | None = None
    sales_channel: str | None = None
    origin: str | None = None


class Paging(CamelModel):
    total: int = 0
    pages: int = 0
    current_page: int = 1
    per_page: int = 15


class OrderList(CamelModel):
    """Response of `GET /api/oms/pvt/orders`: one page of summaries (`list` on the wire)."""

    orders: list[OrderSummary] = Field(default_factory=list, alias="list")
    paging: Paging = Field(default_factory=Paging)


# -- feed v3 --------------------------------------------------------------------------------


class FeedItem(CamelModel):
    """One event of the orders feed. Commit it by `handle`; dedupe on (order_id, state, current_change)."""

    event_id: str
    handle: str
    domain: str | None = None
    state: str
    last_state: str | None = None
    order_id: str
    last_change: str | None = None
    current_change: str | None = None
    available_date: str | None = None
    origin: dict[str, Any] | None = None


class FeedFilter(CamelModel):
    type: Literal["FromWorkflow", "FromOrders"] = "FromWorkflow"
    status: list[str] | None = None
    expression: str | None = None
    disable_single_fire: bool | None = None


class FeedQueue(VtexModel):
    """Queue settings. VTEX's POST schema spells retention in PascalCase, its GET in camelCase."""

    visibility_timeout_in_seconds: int = Field(250, alias="visibilityTimeoutInSeconds")
    message_retention_period_in_seconds: int = Field(
        345600,
        validation_alias=AliasChoices(
            "messageRetentionPeriodInSeconds",
            "MessageRetentionPeriodInSeconds",
            "message_retention_period_in_seconds",
        ),
        serialization_alias="MessageRetentionPeriodInSeconds",
    )


class FeedConfig(CamelModel):
    """Body of `POST /api/orders/feed/config` and response of its GET."""

    filter: FeedFilter = Field(default_factory=lambda: FeedFilter.model_validate({}))
    queue: FeedQueue = Field(default_factory=lambda: FeedQueue.model_validate({}))
    quantity: int | None = None
    approximate_age_of_oldest_message_in_seconds: float | None = None


# -- write-backs ----------------------------------------------------------------------------


class InvoiceItem(CamelModel):
    id: str
    price: int
    quantity: int
    description: str | None = None


class Invoice(CamelModel):
    """Body of `POST .../invoice`. `invoice_value` is in cents (sent as a string, as VTEX documents)."""

    type: Literal["Output", "Input"] = "Output"
    issuance_date: str
    invoice_number: str
    invoice_value: int
    items: list[InvoiceItem]
    invoice_key: str | None = None
    invoice_url: str | None = None
    embedded_invoice: str | None = None
    courier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    dispatched_date: str | None = None

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        body["invoiceValue"] = str(self.invoice_value)
        return body


class TrackingUpdate(CamelModel):
    """Body of `PATCH .../invoice/{invoiceNumber}`: all four keys are always sent."""

    tracking_number: str
    tracking_url: str | None = None
    dispatched_date: str | None = None
    courier: str | None = None
    send_null = frozenset({"tracking_url", "dispatched_date", "courier"})


class TrackingEvent(CamelModel):
    city: str | None = None
    state: str | None = None
    description: str
    date: str


class TrackingEvents(CamelModel):
    """Body of `PUT .../invoice/{invoiceNumber}/tracking`."""

    is_delivered: bool = False
    delivered_date: str | None = None
    events: list[TrackingEvent] = Field(default_factory=list)
    send_null = frozenset({"delivered_date"})


class Receipt(CamelModel):
    """`{date, orderId, receipt}` answered by invoice, tracking and cancel calls."""

    date: str | None = None
    order_id: str | None = None
    receipt: str | None = None


# -- order changes --------------------------------------------------------------------------


class ChangeItem(CamelModel):
    id: str
    quantity: int
    unique_id: str | None = None
    price: int | None = None
    measurement_unit: str | None = None
    unit_multiplier: float | None = None


class ChangeItems(CamelModel):
    items: list[ChangeItem]


class ChangeReplace(VtexModel):
    from_: dict[str, Any] = Field(alias="from")
    to: dict[str, Any]


class ChangeRequest(CamelModel):
    """Body of an order change (`PATCH /api/order-system/orders/{orderId}/changes`)."""

    reason: str
    add: ChangeItems | None = None
    remove: ChangeItems | None = None
    replace: list[ChangeReplace] | None = None
    settings: dict[str, Any] | None = None


class ChangeResult(CamelModel):
    """A change request as VTEX reports it (create 202, get, list, preview)."""

    request_id: str | None = None
    workflow_id: str | None = None
    status: str | None = None
    in_progress: bool | None = None
    reason: str | None = None
    total_change_value: int | None = None
    manual_discount_value: int | None = None
    manual_increment_value: int | None = None
    totals: list[Total] = Field(default_factory=list)
