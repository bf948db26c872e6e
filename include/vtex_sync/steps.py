"""The initial setup's steps in VTEX's documented order (constants only: DAG files import this)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    name: str
    group: str  # task group in the DAG
    pool: str
    table: str  # the ERP table whose size decides the number of batches
    batched: bool = False


STEPS: tuple[Step, ...] = (
    Step("categories", "catalog", "vtex_catalog", "categories"),
    Step("brands", "catalog", "vtex_catalog", "brands"),
    Step("specification_groups", "catalog", "vtex_catalog", "specification_groups"),
    Step("specification_fields", "catalog", "vtex_catalog", "specification_fields"),
    Step("specification_values", "catalog", "vtex_catalog", "specification_values"),
    Step("products", "catalog", "vtex_catalog", "products", batched=True),
    Step("product_specifications", "catalog", "vtex_catalog", "product_specifications", batched=True),
    Step("product_trade_policies", "catalog", "vtex_catalog", "products", batched=True),
    Step("skus", "catalog", "vtex_catalog", "skus", batched=True),
    Step("sku_specifications", "catalog", "vtex_catalog", "sku_specifications", batched=True),
    Step("sku_images", "catalog", "vtex_catalog", "sku_images", batched=True),
    Step("sku_activation", "catalog", "vtex_catalog", "skus", batched=True),
    Step("prices", "pricing", "vtex_pricing", "prices", batched=True),
    Step("warehouses", "logistics", "vtex_logistics", "warehouses"),
    Step("inventory", "logistics", "vtex_logistics", "stock", batched=True),
)

CUSTOMER_STEPS: tuple[Step, ...] = (
    Step("customers", "customers", "vtex_masterdata", "customers", batched=True),
    Step("customer_addresses", "customers", "vtex_masterdata", "customer_addresses", batched=True),
)

STEP_NAMES = tuple(s.name for s in STEPS)


def in_step_order(by_step: dict) -> dict:
    """The same mapping with its keys in the order the steps run (unknown keys last)."""
    order = {step.name: index for index, step in enumerate(STEPS + CUSTOMER_STEPS)}
    return dict(sorted(by_step.items(), key=lambda item: order.get(item[0], len(order))))
