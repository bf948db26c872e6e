"""Pydantic row models for the inbound staging tables (one model per table).

Strings are NFC-normalised, cleared of invisible characters (zero-width, soft hyphen, BOM)
with odd spaces (NBSP...) made plain, and stripped; empty optional strings become None. Numbers
are never rounded: money is a non-negative Decimal with at most 2 decimals (what VTEX prices and
OMS cents keep), measures at most 3, and magnitudes beyond what the staging columns or VTEX's
documented types hold (``int32`` quantities and positions) are out of range. Lengths follow
VTEX's limits. `MODELS` maps table -> model.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
)

from vtex_sync.db import to_utc
from vtex_sync.erp.cells import normalise_text

LEAD_TIME_RE = re.compile(r"^(?:\d{1,3}\.)?(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$")
TRADE_POLICIES_RE = re.compile(r"^\d+(?:,\d+)*$")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif")
EAN_LENGTHS = (8, 12, 13, 14)
INT32_MAX = 2_147_483_647
MONEY_LIMIT = Decimal("1e12")  # Numeric(14, 2)
MEASURE_LIMIT = Decimal("1e9")  # Numeric(12, 3)


def _blank_to_none(value: Any) -> Any:
    value = normalise_text(value)
    return None if value == "" else value


def ean_check_digit_ok(ean: str) -> bool:
    """GS1 check digit of an EAN-8/UPC-A/EAN-13/GTIN-14 code."""
    digits = [int(ch) for ch in ean]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _check_ean(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.isdigit() or len(value) not in EAN_LENGTHS:
        raise ValueError("EAN must have 8, 12, 13 or 14 digits")
    if not ean_check_digit_ok(value):
        raise ValueError("EAN check digit is wrong")
    return value


def _money(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        raise ValueError("must not be negative")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("must have at most 2 decimal places (VTEX keeps cents; never rounded)")
    if value >= MONEY_LIMIT:
        raise ValueError(f"too large: at most {MONEY_LIMIT - Decimal('0.01')}")
    return value.quantize(Decimal("0.01"))


def _measure(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if value != value.quantize(Decimal("0.001")):
        raise ValueError("must have at most 3 decimal places (never rounded)")
    if value >= MEASURE_LIMIT:
        raise ValueError(f"too large: below {MEASURE_LIMIT}")
    return value


def _lead_time(value: str) -> str:
    if not LEAD_TIME_RE.match(value):
        raise ValueError("must look like 'hh:mm:ss' or 'd.hh:mm:ss'")
    return value


def _trade_policies(value: str) -> str:
    compact = value.replace(" ", "")
    if not TRADE_POLICIES_RE.match(compact):
        raise ValueError("must be comma-separated trade policy ids, e.g. '1,2'")
    return compact


def _image_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("must be an http(s) URL")
    if not parsed.path.lower().endswith(IMAGE_SUFFIXES):
        raise ValueError("must end with .jpg, .jpeg, .png or .gif")
    return value


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else to_utc(value)


Code = Annotated[str, Field(min_length=1, max_length=100)]
Name100 = Annotated[str, Field(min_length=1, max_length=100)]
Title150 = Annotated[Annotated[str, Field(max_length=150)] | None, BeforeValidator(_blank_to_none)]
OptText = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptCode = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_blank_to_none)]
Money = Annotated[Decimal, AfterValidator(_money)]
OptMoney = Annotated[Decimal | None, BeforeValidator(_blank_to_none), AfterValidator(_money)]
Measure = Annotated[Decimal, Field(ge=0), AfterValidator(_measure)]
PositiveMeasure = Annotated[Decimal, Field(gt=0), AfterValidator(_measure)]
OptMeasure = Annotated[Annotated[Decimal, Field(ge=0)] | None, BeforeValidator(_blank_to_none),
                       AfterValidator(_measure)]
Int32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
Ean = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(_check_ean)]
LeadTime = Annotated[str, AfterValidator(_lead_time)]
TradePolicies = Annotated[str, AfterValidator(_trade_policies)]
ImageUrl = Annotated[str, Field(max_length=1000), AfterValidator(_image_url)]
UtcStamp = Annotated[datetime, AfterValidator(_utc)]
OptUtcStamp = Annotated[datetime | None, BeforeValidator(_blank_to_none), AfterValidator(_utc)]
Position = Annotated[Int32 | None, BeforeValidator(_blank_to_none)]


class ErpRow(BaseModel):
    """Common base: strict about unknown columns' types, lenient about their presence."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    active: bool = True
    updated_at: UtcStamp
    # columns whose bad value validation held back (left at their default; see `held`)
    _held: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def held(self) -> frozenset[str]:
        """Columns validation held back: the records made from them are not written (nor removed)."""
        return self._held

    def holding(self, columns: frozenset[str]) -> ErpRow:
        """This row with `columns` marked as held back."""
        self._held = columns
        return self

    @field_validator("*", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> Any:
        return normalise_text(value)


class Category(ErpRow):
    code: Code
    parent_code: OptCode = None
    name: Name100
    title: Title150 = None
    description: OptText = None
    keywords: OptText = None


class Brand(ErpRow):
    code: Code
    name: Name100
    title: Title150 = None
    meta_description: OptText = None
    keywords: OptText = None


class SpecificationGroup(ErpRow):
    code: Code
    category_code: OptCode = None
    name: Name100
    position: Position = None


class SpecificationField(ErpRow):
    code: Code
    group_code: Code
    category_code: OptCode = None
    name: Name100
    field_type: Literal["text", "multiline", "number", "combo", "radio", "checkbox"]
    is_sku_spec: bool = False
    is_filter: bool = False
    is_required: bool = False
    position: Position = None


class SpecificationValue(ErpRow):
    code: Code
    field_code: Code
    name: Name100
    position: Position = None


class Product(ErpRow):
    ref_id: Code
    category_code: Code
    brand_code: Code
    name: Annotated[str, Field(min_length=1, max_length=150)]
    title: Title150 = None
    description: OptText = None
    short_description: OptText = None
    keywords: OptText = None
    meta_description: OptText = None
    link_id: Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(_blank_to_none)] = None
    release_date: OptUtcStamp = None
    is_visible: bool = True
    trade_policies: TradePolicies = "1"


class ProductSpecification(ErpRow):
    product_ref_id: Code
    field_code: Code
    value_code: Annotated[str, BeforeValidator(lambda v: "" if v is None else v), Field(max_length=100)] = ""
    text: OptText = None


class Sku(ErpRow):
    ref_id: Annotated[str, Field(min_length=1, max_length=50)]
    product_ref_id: Code
    ean: Ean = None
    name: Annotated[str, Field(min_length=1, max_length=200)]
    height: OptMeasure = None
    width: OptMeasure = None
    length: OptMeasure = None
    weight_kg: OptMeasure = None
    packaged_height: Measure
    packaged_width: Measure
    packaged_length: Measure
    packaged_weight_kg: PositiveMeasure
    measurement_unit: Annotated[str, Field(min_length=1, max_length=10)] = "un"
    unit_multiplier: PositiveMeasure = Decimal(1)
    manufacturer_code: OptCode = None


class SkuSpecification(ErpRow):
    sku_ref_id: Annotated[str, Field(min_length=1, max_length=50)]
    field_code: Code
    value_code: Code


class SkuImage(ErpRow):
    sku_ref_id: Annotated[str, Field(min_length=1, max_length=50)]
    position: Int32
    url: ImageUrl
    label: OptCode = None
    name: Name100
    is_main: bool = False


class Price(ErpRow):
    sku_ref_id: Annotated[str, Field(min_length=1, max_length=50)]
    base_price: Money
    list_price: OptMoney = None
    cost_price: OptMoney = None


class FixedPrice(ErpRow):
    sku_ref_id: Annotated[str, Field(min_length=1, max_length=50)]
    trade_policy_id: Annotated[str, Field(pattern=r"^\d+$")]
    min_quantity: Annotated[int, Field(ge=1, le=INT32_MAX)] = 1
    value: Money
    list_price: OptMoney = None
    date_from: OptUtcStamp = None
    date_to: OptUtcStamp = None


class Warehouse(ErpRow):
    code: Code
    name: Name100
    priority: Annotated[int, Field(ge=-INT32_MAX, le=INT32_MAX)] = 0


class Dock(ErpRow):
    code: Code
    name: Name100
    warehouse_code: Code
    handling_time: LeadTime = "00:00:00"
    cost: Money = Decimal("0.00")
    trade_policies: TradePolicies = "1"


class Stock(ErpRow):
    sku_ref_id: Annotated[str, Field(min_length=1, max_length=50)]
    warehouse_code: Code
    quantity: Int32  # decides what VTEX shows: never defaulted
    unlimited: bool = False
    lead_time: LeadTime = "00:00:00"


class Customer(ErpRow):
    code: Code
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    first_name: OptCode = None
    last_name: OptCode = None
    document_type: OptCode = None
    document: OptCode = None
    phone: OptCode = None
    is_corporate: bool = False
    corporate_name: Title150 = None
    trade_name: Title150 = None
    corporate_document: OptCode = None
    newsletter_opt_in: bool = False


class CustomerAddress(ErpRow):
    code: Code
    customer_code: Code
    address_name: Name100
    address_type: Literal["residential", "commercial", "inStore", "giftRegistry", "pickup", "search"] = (
        "residential"
    )
    receiver_name: Title150 = None
    street: Annotated[str, Field(min_length=1, max_length=200)]
    number: OptCode = None
    complement: OptCode = None
    neighborhood: OptCode = None
    city: Name100
    state: OptCode = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]


MODELS: dict[str, type[ErpRow]] = {
    "categories": Category,
    "brands": Brand,
    "specification_groups": SpecificationGroup,
    "specification_fields": SpecificationField,
    "specification_values": SpecificationValue,
    "products": Product,
    "product_specifications": ProductSpecification,
    "skus": Sku,
    "sku_specifications": SkuSpecification,
    "sku_images": SkuImage,
    "prices": Price,
    "fixed_prices": FixedPrice,
    "warehouses": Warehouse,
    "docks": Dock,
    "stock": Stock,
    "customers": Customer,
    "customer_addresses": CustomerAddress,
}
