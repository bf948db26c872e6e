"""The ERP staging schema: the contract between the back office and the integration.

Keys are the ERP's own codes; VTEX ids never live here, except `vtex_order_id` on the order
tables (the order is VTEX's document). See docs/erp-schema.md.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Engine

from vtex_sync.db import UtcDateTime

metadata = MetaData()

MONEY = Numeric(14, 2)
MEASURE = Numeric(12, 3)


def _code(name: str = "code", length: int = 100, **kwargs) -> Column:
    return Column(name, String(length), **kwargs)


def _inbound_tail() -> list[Column]:
    return [
        Column("active", Boolean, nullable=False, default=True),
        Column("updated_at", UtcDateTime, nullable=False, index=True),
    ]


def _sync_tail() -> list[Column]:
    return [
        Column("sync_status", String(20), nullable=False, default="pending", index=True),
        Column("sync_message", Text),
        Column("updated_at", UtcDateTime, nullable=False, index=True),
    ]


# ---------------------------------------------------------------- inbound: ERP/PIM -> VTEX
categories = Table(
    "categories", metadata,
    _code(primary_key=True),
    _code("parent_code", nullable=True),
    Column("name", String(100), nullable=False),
    Column("title", String(150)),
    Column("description", Text),
    Column("keywords", Text),
    *_inbound_tail(),
)

brands = Table(
    "brands", metadata,
    _code(primary_key=True),
    Column("name", String(100), nullable=False),
    Column("title", String(150)),
    Column("meta_description", Text),
    Column("keywords", Text),
    *_inbound_tail(),
)

specification_groups = Table(
    "specification_groups", metadata,
    _code(primary_key=True),
    _code("category_code", nullable=True),
    Column("name", String(100), nullable=False),
    Column("position", Integer),
    *_inbound_tail(),
)

specification_fields = Table(
    "specification_fields", metadata,
    _code(primary_key=True),
    _code("group_code", nullable=False),
    _code("category_code", nullable=True),
    Column("name", String(100), nullable=False),
    Column("field_type", String(20), nullable=False),
    Column("is_sku_spec", Boolean, nullable=False, default=False),
    Column("is_filter", Boolean, nullable=False, default=False),
    Column("is_required", Boolean, nullable=False, default=False),
    Column("position", Integer),
    *_inbound_tail(),
)

specification_values = Table(
    "specification_values", metadata,
    _code(primary_key=True),
    _code("field_code", nullable=False),
    Column("name", String(100), nullable=False),
    Column("position", Integer),
    *_inbound_tail(),
)

products = Table(
    "products", metadata,
    _code("ref_id", primary_key=True),
    _code("category_code", nullable=False),
    _code("brand_code", nullable=False),
    Column("name", String(150), nullable=False),
    Column("title", String(150)),
    Column("description", Text),
    Column("short_description", Text),
    Column("keywords", Text),
    Column("meta_description", Text),
    Column("link_id", String(255)),
    Column("release_date", UtcDateTime),
    Column("is_visible", Boolean, nullable=False, default=True),
    Column("trade_policies", String(100), nullable=False, default="1"),
    *_inbound_tail(),
)

product_specifications = Table(
    "product_specifications", metadata,
    _code("product_ref_id", primary_key=True),
    _code("field_code", primary_key=True),
    # checkbox fields take several values: the value is part of the key ("" when text-only)
    _code("value_code", primary_key=True, default=""),
    Column("text", Text),
    *_inbound_tail(),
)

skus = Table(
    "skus", metadata,
    _code("ref_id", length=50, primary_key=True),
    _code("product_ref_id", nullable=False, index=True),
    Column("ean", String(14)),
    Column("name", String(200), nullable=False),
    Column("height", MEASURE),
    Column("width", MEASURE),
    Column("length", MEASURE),
    Column("weight_kg", MEASURE),
    Column("packaged_height", MEASURE, nullable=False),
    Column("packaged_width", MEASURE, nullable=False),
    Column("packaged_length", MEASURE, nullable=False),
    Column("packaged_weight_kg", MEASURE, nullable=False),
    Column("measurement_unit", String(10), nullable=False, default="un"),
    Column("unit_multiplier", MEASURE, nullable=False, default=1),
    Column("manufacturer_code", String(100)),
    *_inbound_tail(),
)

sku_specifications = Table(
    "sku_specifications", metadata,
    _code("sku_ref_id", length=50, primary_key=True),
    _code("field_code", primary_key=True),
    _code("value_code", nullable=False),
    *_inbound_tail(),
)

sku_images = Table(
    "sku_images", metadata,
    _code("sku_ref_id", length=50, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("url", String(1000), nullable=False),
    Column("label", String(100)),
    Column("name", String(100), nullable=False),
    Column("is_main", Boolean, nullable=False, default=False),
    *_inbound_tail(),
)

prices = Table(
    "prices", metadata,
    _code("sku_ref_id", length=50, primary_key=True),
    Column("base_price", MONEY, nullable=False),
    Column("list_price", MONEY),
    Column("cost_price", MONEY),
    *_inbound_tail(),
)

fixed_prices = Table(
    "fixed_prices", metadata,
    _code("sku_ref_id", length=50, primary_key=True),
    Column("trade_policy_id", String(20), primary_key=True),
    Column("min_quantity", Integer, primary_key=True, default=1),
    Column("value", MONEY, nullable=False),
    Column("list_price", MONEY),
    Column("date_from", UtcDateTime),
    Column("date_to", UtcDateTime),
    *_inbound_tail(),
)

warehouses = Table(
    "warehouses", metadata,
    _code(primary_key=True),
    Column("name", String(100), nullable=False),
    Column("priority", Integer, nullable=False, default=0),
    *_inbound_tail(),
)

docks = Table(
    "docks", metadata,
    _code(primary_key=True),
    Column("name", String(100), nullable=False),
    _code("warehouse_code", nullable=False),
    Column("handling_time", String(20), nullable=False, default="00:00:00"),
    Column("cost", MONEY, nullable=False, default=0),
    Column("trade_policies", String(100), nullable=False, default="1"),
    *_inbound_tail(),
)

stock = Table(
    "stock", metadata,
    _code("sku_ref_id", length=50, primary_key=True),
    _code("warehouse_code", primary_key=True),
    Column("quantity", Integer, nullable=False, default=0),
    Column("unlimited", Boolean, nullable=False, default=False),
    Column("lead_time", String(20), nullable=False, default="00:00:00"),
    *_inbound_tail(),
)

customers = Table(
    "customers", metadata,
    _code(primary_key=True),
    Column("email", String(254), nullable=False),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("document_type", String(20)),
    Column("document", String(30)),
    Column("phone", String(30)),
    Column("is_corporate", Boolean, nullable=False, default=False),
    Column("corporate_name", String(150)),
    Column("trade_name", String(150)),
    Column("corporate_document", String(30)),
    Column("newsletter_opt_in", Boolean, nullable=False, default=False),
    *_inbound_tail(),
)

customer_addresses = Table(
    "customer_addresses", metadata,
    _code(primary_key=True),
    _code("customer_code", nullable=False, index=True),
    Column("address_name", String(100), nullable=False),
    Column("address_type", String(20), nullable=False, default="residential"),
    Column("receiver_name", String(150)),
    Column("street", String(200), nullable=False),
    Column("number", String(20)),
    Column("complement", String(100)),
    Column("neighborhood", String(100)),
    Column("city", String(100), nullable=False),
    Column("state", String(50)),
    Column("country", String(3), nullable=False),
    Column("postal_code", String(20), nullable=False),
    *_inbound_tail(),
)

# ---------------------------------------------------------------- outbound: VTEX -> ERP
ORDER_STATUSES = (
    "received", "invoiced", "partially_invoiced", "shipped", "delivered", "canceled", "cancel_requested",
)

sales_orders = Table(
    "sales_orders", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("erp_order_code", String(50), unique=True),
    Column("status", String(20), nullable=False, default="received", index=True),
    Column("vtex_status", String(50)),
    Column("total_cents", Integer, nullable=False),
    Column("currency", String(3), nullable=False, default="BRL"),
    Column("customer_email", String(254)),
    Column("customer_document", String(30)),
    Column("sales_channel", String(20)),
    Column("created_at", UtcDateTime),
    Column("received_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False, index=True),
    Column("raw_order", Text),
)

sales_order_lines = Table(
    "sales_order_lines", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    _code("sku_ref_id", length=50),
    Column("vtex_sku_id", String(50)),
    Column("name", String(255)),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
    Column("list_price_cents", Integer),
    Column("selling_price_cents", Integer),
)

order_customers = Table(
    "order_customers", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("email", String(254)),
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("document", String(30)),
    Column("phone", String(30)),
    Column("receiver_name", String(150)),
    Column("street", String(200)),
    Column("number", String(20)),
    Column("complement", String(100)),
    Column("neighborhood", String(100)),
    Column("city", String(100)),
    Column("state", String(50)),
    Column("country", String(3)),
    Column("postal_code", String(20)),
)

# ---------------------------------------------------------------- back from the ERP about orders
invoices = Table(
    "invoices", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("invoice_number", String(50), primary_key=True),
    Column("type", String(10), nullable=False, default="Output"),
    Column("value_cents", Integer, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("invoice_key", String(100)),
    Column("invoice_url", String(1000)),
    Column("courier", String(100)),
    Column("tracking_number", String(100)),
    Column("tracking_url", String(1000)),
    *_sync_tail(),
)

invoice_items = Table(
    "invoice_items", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("invoice_number", String(50), primary_key=True),
    _code("sku_ref_id", length=50, primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
)

shipments = Table(
    "shipments", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("invoice_number", String(50), primary_key=True),
    Column("carrier", String(100)),
    Column("tracking_number", String(100)),
    Column("tracking_url", String(1000)),
    Column("dispatched_at", UtcDateTime),
    Column("delivered", Boolean, nullable=False, default=False),
    Column("delivered_at", UtcDateTime),
    *_sync_tail(),
)

tracking_events = Table(
    "tracking_events", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("invoice_number", String(50), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("city", String(100)),
    Column("state", String(50)),
    Column("description", String(255), nullable=False),
    Column("event_at", UtcDateTime, nullable=False),
)

order_changes = Table(
    "order_changes", metadata,
    Column("change_code", String(50), primary_key=True),
    Column("vtex_order_id", String(50), nullable=False, index=True),
    Column("reason", String(255), nullable=False),
    Column("items", Text, nullable=False),  # JSON: [{"sku_ref_id", "quantity", "op": "add"|"remove"}]
    Column("vtex_change_id", String(100)),
    *_sync_tail(),
)

order_cancellations = Table(
    "order_cancellations", metadata,
    Column("vtex_order_id", String(50), primary_key=True),
    Column("reason", String(255)),
    Column("decided_by", String(10), nullable=False),  # erp | shopper
    Column("decision", String(10)),  # accept | deny | NULL (not decided yet)
    *_sync_tail(),
)

INBOUND_TABLES: tuple[str, ...] = (
    "categories", "brands", "specification_groups", "specification_fields", "specification_values",
    "products", "product_specifications", "skus", "sku_specifications", "sku_images", "prices",
    "fixed_prices", "warehouses", "docks", "stock", "customers", "customer_addresses",
)
ORDER_TABLES: tuple[str, ...] = ("sales_orders", "sales_order_lines", "order_customers")
ERP_ORDER_TABLES: tuple[str, ...] = (
    "invoices", "invoice_items", "shipments", "tracking_events", "order_changes", "order_cancellations",
)
SYNC_TABLES: tuple[str, ...] = ("invoices", "shipments", "order_changes", "order_cancellations")
SYNC_STATUSES: tuple[str, ...] = ("pending", "sent", "confirmed", "failed")


def table(name: str) -> Table:
    """The staging table called `name` (KeyError for an unknown table)."""
    try:
        return metadata.tables[name]
    except KeyError:
        raise KeyError(f"unknown ERP table {name!r}") from None


def key_columns(name: str) -> tuple[str, ...]:
    """Primary-key column names of table `name`, in order."""
    return tuple(col.name for col in table(name).primary_key.columns)


def required_columns(name: str) -> tuple[str, ...]:
    """Columns a source of table `name` must have (NOT NULL ones: keys, ``active``, ``quantity``...)."""
    return tuple(col.name for col in table(name).c if not col.nullable)


def create_erp_schema(engine: Engine) -> None:
    """Create every staging table that does not exist yet (idempotent)."""
    metadata.create_all(engine)
