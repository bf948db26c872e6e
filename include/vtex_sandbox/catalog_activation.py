"""When a SKU may become active (VTEX guide skus.md, "Activating an SKU").

A SKU can be activated only with a RefId or an EAN, at least one image, every SKU
specification of its category filled, and an active product whose brand and category are
active. ``ActivateIfPossible: true`` activates it "once associated with an image" (catalog.json):
the sandbox checks when an image is associated with it (and when the SKU itself is written), so
a specification or EAN added after the image leaves it inactive until the next such write. A
PUT with ``IsActive: true`` before every requirement holds is a 400.
"""

from __future__ import annotations

from typing import Any

from vtex_sandbox.errors import bad_request
from vtex_sandbox.store import Store


def _category_chain(store: Store, category_id: Any) -> list[dict[str, Any]]:
    chain, seen = [], set()
    while category_id is not None and category_id not in seen:
        seen.add(category_id)
        category = store.get("categories", category_id)
        if category is None:
            break
        chain.append(category)
        category_id = category.get("FatherCategoryId")
    return chain


def _unfilled_specifications(store: Store, sku_id: int, category_ids: set[Any]) -> list[str]:
    filled = {s["FieldId"] for s in store.find("sku_specifications", SkuId=sku_id)}
    missing = []
    for field in store.find("specification_fields", IsStockKeepingUnit=True):
        applies = field.get("CategoryId") is None or field.get("CategoryId") in category_ids
        if applies and field.get("IsActive") and field["Id"] not in filled:
            missing.append(field["Name"])
    return missing


def activation_gaps(store: Store, sku: dict[str, Any]) -> list[str]:
    """What the SKU still lacks before it can be active (empty when it can)."""
    sku_id = sku["Id"]
    gaps = []
    if not sku.get("RefId") and not store.find("sku_eans", SkuId=sku_id):
        gaps.append("a RefId or an EAN")
    if not store.find("sku_files", SkuId=sku_id):
        gaps.append("at least one image")
    product = store.get("products", sku["ProductId"]) or {}
    chain = _category_chain(store, product.get("CategoryId"))
    unfilled = _unfilled_specifications(store, sku_id, {c["Id"] for c in chain})
    if unfilled:
        gaps.append("its specifications filled (" + ", ".join(sorted(unfilled)) + ")")
    if not product.get("IsActive"):
        gaps.append("an active product")
    brand = store.get("brands", product["BrandId"]) if product.get("BrandId") is not None else None
    if not (brand or {}).get("Active"):
        gaps.append("an active brand")
    if not (chain and chain[0].get("IsActive")):
        gaps.append("an active category")
    return gaps


def check_manual_activation(store: Store, sku: dict[str, Any], was_active: bool) -> None:
    """A PUT that turns a SKU active must meet every requirement (400 naming what is missing)."""
    if sku.get("IsActive") and not was_active:
        gaps = activation_gaps(store, sku)
        if gaps:
            raise bad_request(f"SKU {sku['Id']} cannot be activated: it needs " + "; ".join(gaps))


def activate_if_possible(store: Store, sku_id: int) -> None:
    """Turn on a SKU flagged ActivateIfPossible once it meets every requirement."""
    sku = store.get("skus", sku_id)
    if not sku or sku["IsActive"] or not sku.get("ActivateIfPossible"):
        return
    if not activation_gaps(store, sku):
        store.put("skus", sku_id, {**sku, "IsActive": True})
