"""Pricing API payloads (camelCase; money as decimals, not cents)."""

from __future__ import annotations

from pydantic import Field

from vtex_provider.models.base import CamelModel, VtexModel


class DateRange(VtexModel):
    """RFC 3339 timestamps with offset; `to` must be after `from`."""

    from_: str = Field(alias="from")
    to: str


class FixedPrice(CamelModel):
    """A fixed price for one trade policy or price table."""

    trade_policy_id: str | None = None
    value: float
    list_price: float | None = None
    min_quantity: int = 1
    date_range: DateRange | None = None


class PriceUpdate(CamelModel):
    """Body of `PUT /pricing/prices/{itemId}`.

    Send two of `base_price`, `cost_price`, `markup` (not all three). The PUT
    replaces every fixed price of the SKU: fixed prices missing here are deleted.
    """

    base_price: float | None = None
    cost_price: float | None = None
    markup: int | None = None
    list_price: float | None = None
    fixed_prices: list[FixedPrice] = Field(default_factory=list)


class Price(CamelModel):
    """Response of `GET /pricing/prices/{itemId}`."""

    item_id: str
    base_price: float | None = None
    cost_price: float | None = None
    markup: float | None = None
    list_price: float | None = None
    fixed_prices: list[FixedPrice] = Field(default_factory=list)
