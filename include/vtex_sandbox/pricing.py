"""The Pricing API: base and fixed prices per SKU, served under three URL prefixes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from vtex_sandbox.errors import bad_request, not_found
from vtex_sandbox.routing import StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["pricing"])
PREFIXES = ("/pricing", "/{account}/pricing", "/api/pricing")


class DateRange(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    from_: datetime = Field(alias="from")
    to: datetime

    @model_validator(mode="after")
    def _to_after_from(self) -> DateRange:
        if self.to <= self.from_:
            raise ValueError("dateRange.to must be after dateRange.from")
        return self

    def as_json(self) -> dict[str, str]:
        return {"from": self.from_.isoformat(), "to": self.to.isoformat()}


class FixedPriceBody(BaseModel):
    """A fixed price posted to one price table (the table comes from the URL)."""

    model_config = ConfigDict(extra="ignore")
    value: float
    listPrice: float | None = None
    minQuantity: int
    dateRange: DateRange | None = None

    def as_json(self, table: str) -> dict[str, Any]:
        doc = {"tradePolicyId": table, "value": self.value, "listPrice": self.listPrice}
        doc["minQuantity"] = self.minQuantity
        if self.dateRange:
            doc["dateRange"] = self.dateRange.as_json()
        return doc


class FixedPrice(FixedPriceBody):
    tradePolicyId: str


class PriceBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    costPrice: float | None = None
    markup: float | None = None
    basePrice: float | None = None
    listPrice: float | None = None
    fixedPrices: list[FixedPrice] = []

    @model_validator(mode="after")
    def _base_price_rule(self) -> PriceBody:
        # pricing.json, PUT /pricing/prices/{itemId}: send two of basePrice, costPrice and
        # markup (or basePrice alone); all three at once makes the request fail.
        if None not in (self.basePrice, self.costPrice, self.markup):
            raise ValueError("send only two of basePrice, costPrice and markup, not all three")
        if self.basePrice is None and not (self.costPrice is not None and self.markup is not None):
            raise ValueError("send basePrice, or costPrice and markup")
        return self


def _fixed_key(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc["tradePolicyId"], doc["minQuantity"], str(doc.get("dateRange")))


def _price_doc(item_id: str, body: PriceBody) -> dict[str, Any]:
    markup = body.markup
    cost = body.costPrice
    base = body.basePrice
    if base is None:  # the body rule guarantees cost and markup then
        assert cost is not None and markup is not None
        base = round(cost * (1 + markup / 100), 2)
    elif cost is not None and markup is None:
        markup = round((base / cost - 1) * 100, 2) if cost else 0
    elif cost is None:
        cost = round(base / (1 + (markup or 0) / 100), 2)
        markup = markup or 0
    return {
        "itemId": item_id,
        "listPrice": body.listPrice,
        "costPrice": cost,
        "markup": markup,
        "basePrice": base,
        "fixedPrices": [f.as_json(f.tradePolicyId) for f in body.fixedPrices],
    }


def _get_price(store: Store, item_id: str) -> dict[str, Any]:
    doc = store.get("prices", item_id)
    if doc is None:
        raise not_found("Price of item", item_id)
    return doc


def _route(method: str, path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        for prefix in PREFIXES:
            router.add_api_route(
                prefix + path, handler, methods=[method], name=f"{handler.__name__} {prefix}"
            )
        return handler

    return register


def _check_sku(store: Store, item_id: str) -> None:
    if not item_id.isdigit() or store.get("skus", int(item_id)) is None:
        raise bad_request(f"SKU {item_id} does not exist")


@_route("PUT", "/prices/{itemId}")
def put_price(itemId: str, body: PriceBody, store: StoreDep) -> Response:
    """Full replace: fixed prices missing from the body are deleted."""
    _check_sku(store, itemId)
    store.put("prices", itemId, _price_doc(itemId, body))
    return Response(status_code=200)


@_route("GET", "/prices/{itemId}")
def get_price(itemId: str, store: StoreDep) -> dict[str, Any]:
    return _get_price(store, itemId)


@_route("DELETE", "/prices/{itemId}")
def delete_price(itemId: str, store: StoreDep) -> Response:
    if not store.delete("prices", itemId):
        raise not_found("Price of item", itemId)
    return Response(status_code=200)


@_route("GET", "/prices/{itemId}/fixed")
def get_fixed_prices(itemId: str, store: StoreDep) -> list[dict[str, Any]]:
    return _get_price(store, itemId)["fixedPrices"]


@_route("GET", "/prices/{itemId}/fixed/{priceTableId}")
def get_fixed_prices_of_table(itemId: str, priceTableId: str, store: StoreDep) -> list[dict[str, Any]]:
    return [f for f in _get_price(store, itemId)["fixedPrices"] if f["tradePolicyId"] == priceTableId]


def _upsert_fixed(store: Store, item_id: str, new: list[dict[str, Any]]) -> None:
    with store.transaction():
        doc = _get_price(store, item_id)
        fixed = {_fixed_key(f): f for f in doc["fixedPrices"]}
        fixed.update({_fixed_key(f): f for f in new})
        store.put("prices", item_id, {**doc, "fixedPrices": list(fixed.values())})


@_route("POST", "/prices/{itemId}/fixed/{priceTableId}")
def post_fixed_prices(
    itemId: str, priceTableId: str, body: list[FixedPriceBody], store: StoreDep
) -> Response:
    _upsert_fixed(store, itemId, [f.as_json(priceTableId) for f in body])
    return Response(status_code=200)


@_route("PATCH", "/prices/{itemId}/fixed")
def patch_fixed_prices(itemId: str, body: list[FixedPrice], store: StoreDep) -> Response:
    _upsert_fixed(store, itemId, [f.as_json(f.tradePolicyId) for f in body])
    return Response(status_code=200)


@_route("DELETE", "/prices/{itemId}/fixed/{priceTableId}")
def delete_fixed_prices(itemId: str, priceTableId: str, store: StoreDep) -> Response:
    with store.transaction():
        doc = _get_price(store, itemId)
        kept = [f for f in doc["fixedPrices"] if f["tradePolicyId"] != priceTableId]
        store.put("prices", itemId, {**doc, "fixedPrices": kept})
    return Response(status_code=200)


@_route("GET", "/tables")
def price_tables(store: StoreDep) -> list[str]:
    tables = {str(tp["Id"]) for tp in store.all("trade_policies")}
    for doc in store.all("prices"):
        tables.update(f["tradePolicyId"] for f in doc["fixedPrices"])
    return sorted(tables)


@_route("GET", "/config")
def pricing_config() -> dict[str, Any]:
    return {
        "hasMigrated": True,
        "hasOptionalBasePrice": False,
        "defaultMarkup": 0,
        "priceTableSchema": "default",
        "sellerCanEditPrice": True,
    }
