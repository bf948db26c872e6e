"""Pricing API client (`api.vtex.com/{account}/pricing/...`; decimal prices)."""

from __future__ import annotations

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.models.pricing import FixedPrice, Price, PriceUpdate


class PricingClient(VtexClient):
    """Base and fixed prices. The hook records the `Ratelimit-*` headers of every answer."""

    api = "pricing"

    def put_price(self, sku_id: int | str, price: PriceUpdate) -> None:
        """Replace the SKU's price; fixed prices missing from `price` are deleted by VTEX."""
        self._call("PUT", f"/pricing/prices/{seg(sku_id)}", json=price.to_body())

    def get_price(self, sku_id: int | str) -> Price | None:
        body = self._json_or_none(f"/pricing/prices/{seg(sku_id)}")
        return Price.model_validate(body) if body else None

    def delete_price(self, sku_id: int | str) -> None:
        self._call("DELETE", f"/pricing/prices/{seg(sku_id)}")

    def get_fixed_prices(self, sku_id: int | str, price_table: str | None = None) -> list[FixedPrice]:
        path = f"/pricing/prices/{seg(sku_id)}/fixed"
        if price_table is not None:
            path += f"/{seg(price_table)}"
        return FixedPrice.parse_list(self._json_or_none(path))

    def put_fixed_prices(self, sku_id: int | str, price_table: str, prices: list[FixedPrice]) -> None:
        """Set the fixed prices of one price table (VTEX's route is a POST that upserts)."""
        body = [_without_table(price) for price in prices]
        path = f"/pricing/prices/{seg(sku_id)}/fixed/{seg(price_table)}"
        self._call("POST", path, json=body, idempotent=True)

    def patch_fixed_prices(self, sku_id: int | str, prices: list[FixedPrice]) -> None:
        """Upsert fixed prices (each names its `trade_policy_id`) without removing the others."""
        self._call(
            "PATCH",
            f"/pricing/prices/{seg(sku_id)}/fixed",
            json=[p.to_body() for p in prices],
            idempotent=True,
        )

    def list_price_tables(self) -> list[str]:
        body = self._json("GET", "/pricing/tables")
        return [str(name) for name in body] if isinstance(body, list) else []


def _without_table(price: FixedPrice) -> dict:
    body = price.to_body()
    body.pop("tradePolicyId", None)
    return body
