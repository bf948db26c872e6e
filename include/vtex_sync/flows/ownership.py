"""Which fields of a VTEX catalog object the ERP owns; the store owns the rest, in VTEX.

VTEX's category, brand, product and SKU updates are full-replace PUTs: a field left out is
wiped. So an update reads the current object from VTEX and changes only the ERP-owned fields
(`Ownership.merge`); whatever the store set in VTEX (tax code, score, URL slug, ...) is sent
back unchanged. docs/field-ownership.md is the table for people; this module is the one place
the set is declared.

A deployment changes the set in the ``vtex_sync_settings`` Airflow variable::

    {"erp_owned_fields": {"product": {"add": ["tax_code"], "remove": ["description"]}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from vtex_provider.models import catalog as vc

M = TypeVar("M", bound=BaseModel)


class Owned(StrEnum):
    """The catalog entities whose updates are read-modify-write."""

    CATEGORY = "category"
    BRAND = "brand"
    PRODUCT = "product"
    SKU = "sku"


MODELS: dict[Owned, type[BaseModel]] = {
    Owned.CATEGORY: vc.Category,
    Owned.BRAND: vc.Brand,
    Owned.PRODUCT: vc.Product,
    Owned.SKU: vc.Sku,
}

ERP_OWNED: dict[Owned, frozenset[str]] = {
    Owned.CATEGORY: frozenset(
        {"name", "father_category_id", "title", "description", "keywords", "is_active"}
    ),
    Owned.BRAND: frozenset({"name", "text", "keywords", "site_title", "active"}),
    Owned.PRODUCT: frozenset(
        {
            "name", "category_id", "brand_id", "ref_id", "link_id", "title", "description",
            "description_short", "release_date", "key_words", "meta_tag_description", "is_visible",
            "is_active",
        }
    ),
    Owned.SKU: frozenset(
        {
            "product_id", "name", "ref_id", "packaged_height", "packaged_length", "packaged_width",
            "packaged_weight_kg", "height", "length", "width", "weight_kg", "manufacturer_code",
            "measurement_unit", "unit_multiplier",
        }
    ),
}  # fmt: skip

# Owned only when the ERP gives a value: left empty, VTEX's value stays (an empty `LinkId`
# would make VTEX regenerate the product's URL slug from its name on every rename).
ONLY_WHEN_SET: frozenset[str] = frozenset({"link_id"})

SETTING = "erp_owned_fields"


class OwnershipError(ValueError):
    """The `erp_owned_fields` setting names an unknown entity or field."""


@dataclass(frozen=True)
class Ownership:
    fields: Mapping[Owned, frozenset[str]]

    @classmethod
    def default(cls) -> Ownership:
        return cls(dict(ERP_OWNED))

    @classmethod
    def from_setting(cls, value: Mapping[str, Any] | None) -> Ownership:
        """The defaults changed by ``{"<entity>": {"add": [...], "remove": [...]}}``."""
        fields = dict(ERP_OWNED)
        for name, change in (value or {}).items():
            try:
                entity = Owned(name)
            except ValueError:
                raise OwnershipError(
                    f"{SETTING}: unknown entity {name!r} (expected one of {', '.join(Owned)})"
                ) from None
            if not isinstance(change, Mapping) or set(change) - {"add", "remove"}:
                raise OwnershipError(f"{SETTING}.{name}: expected {{'add': [...], 'remove': [...]}}")
            known = MODELS[entity].model_fields
            for verb in ("add", "remove"):
                for field in change.get(verb, ()):
                    if field not in known:
                        raise OwnershipError(
                            f"{SETTING}.{name}.{verb}: {field!r} is not a field of {entity.value}"
                        )
            fields[entity] = (fields[entity] | set(change.get("add", ()))) - set(change.get("remove", ()))
        return cls(fields)

    def erp_fields(self, entity: Owned | str) -> frozenset[str]:
        return self.fields[Owned(entity)]

    def merge(self, entity: Owned | str, current: M | None, desired: M) -> M:
        """`current` (read from VTEX) with the ERP-owned fields of `desired`.

        Without a current object (VTEX answered 404) the desired one is sent as it is.
        """
        if current is None:
            return desired
        owned = self.erp_fields(entity)
        update = {
            name: getattr(desired, name)
            for name in owned
            if not (name in ONLY_WHEN_SET and getattr(desired, name) is None)
        }
        return current.model_copy(update=update)
