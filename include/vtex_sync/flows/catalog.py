"""Catalog entities: ERP rows -> complete VTEX Catalog objects, and the calls that write them.

Every builder returns the *complete* object (VTEX PUTs wipe omitted fields), so the same
object serves create, update and the change hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vtex_provider.exceptions import VtexApiError
from vtex_provider.models import catalog as vc
from vtex_sync.entities import ENTITIES
from vtex_sync.flows.engine import EntitySpec

FIELD_TYPES = {"text": 1, "multiline": 2, "number": 4, "combo": 5, "radio": 6, "checkbox": 7}


def _int(value: str | None) -> int | None:
    return None if value is None or value.startswith("<new") else int(value)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


# --- categories ------------------------------------------------------------------------------


def _category(row: Any, ids: dict[str, str]) -> vc.Category:
    return vc.Category(
        name=row.name,
        father_category_id=_int(ids.get("category")),
        title=row.title or row.name,
        description=row.description or "",
        keywords=row.keywords or "",
        is_active=row.active,
    )


def _find_category(c: Any, payload: vc.Category) -> int | None:
    found = c.catalog.find_category(payload.name, payload.father_category_id)
    return found.id if found else None


CATEGORIES = EntitySpec(
    ENTITIES["category"],
    build=_category,
    create=lambda c, p: c.catalog.create_category(p).id,
    update=lambda c, vid, p: c.catalog.update_category(int(vid), p),
    lookup=_find_category,
)


# --- brands ----------------------------------------------------------------------------------


def _find_brand(c: Any, payload: vc.Brand) -> int | None:
    found = c.catalog.find_brand(payload.name)
    return found.id if found else None


BRANDS = EntitySpec(
    ENTITIES["brand"],
    build=lambda r, ids: vc.Brand(
        name=r.name,
        text=r.meta_description,
        keywords=r.keywords,
        site_title=r.title or r.name,
        active=r.active,
    ),
    create=lambda c, p: c.catalog.create_brand(p).id,
    update=lambda c, vid, p: c.catalog.update_brand(int(vid), p),
    lookup=_find_brand,
)


# --- specifications --------------------------------------------------------------------------


def _find_group(c: Any, payload: vc.SpecificationGroup) -> int | None:
    groups = c.catalog.list_specification_groups(payload.category_id) if payload.category_id else []
    return next((g.id for g in groups if g.name == payload.name), None)


SPECIFICATION_GROUPS = EntitySpec(
    ENTITIES["specification_group"],
    build=lambda r, ids: vc.SpecificationGroup(
        category_id=_int(ids.get("category")), name=r.name, position=r.position
    ),
    create=lambda c, p: c.catalog.create_specification_group(p).id,
    update=lambda c, vid, p: c.catalog.update_specification_group(
        int(vid), p.model_copy(update={"id": int(vid)})
    ),
    lookup=_find_group,
)


def _find_field(c: Any, payload: vc.SpecificationField) -> int | None:
    fields = c.catalog.list_specification_fields(payload.category_id) if payload.category_id else []
    return next((f.field_id for f in fields if f.name == payload.name), None)


SPECIFICATION_FIELDS = EntitySpec(
    ENTITIES["specification_field"],
    build=lambda r, ids: vc.SpecificationField(
        field_type_id=FIELD_TYPES[r.field_type],
        field_group_id=_int(ids["specification_group"]) or 0,
        category_id=_int(ids.get("category")),
        name=r.name,
        position=r.position or 1,
        is_filter=r.is_filter,
        is_required=r.is_required,
        is_stock_keeping_unit=r.is_sku_spec,
        is_active=r.active,
    ),
    create=lambda c, p: c.catalog.create_specification_field(p).id,
    update=lambda c, vid, p: c.catalog.update_specification_field(int(vid), p),
    lookup=_find_field,
)


def _find_value(c: Any, payload: vc.SpecificationValue) -> int | None:
    values = c.catalog.list_specification_values(payload.field_id)
    return next((v.field_value_id for v in values if v.value == payload.name), None)


SPECIFICATION_VALUES = EntitySpec(
    ENTITIES["specification_value"],
    build=lambda r, ids: vc.SpecificationValue(
        field_id=_int(ids["specification_field"]) or 0,
        name=r.name,
        is_active=r.active,
        position=r.position or 1,
    ),
    create=lambda c, p: c.catalog.create_specification_value(p).field_value_id,
    update=lambda c, vid, p: c.catalog.update_specification_value(int(vid), p),
    lookup=_find_value,
)


# --- products --------------------------------------------------------------------------------


def _product(r: Any, ids: dict[str, str]) -> vc.Product:
    return vc.Product(
        name=r.name,
        category_id=_int(ids["category"]),
        brand_id=_int(ids["brand"]),
        ref_id=r.ref_id,
        link_id=r.link_id,
        title=r.title or r.name,
        description=r.description or "",
        description_short=r.short_description or "",
        release_date=r.release_date.strftime("%Y-%m-%dT%H:%M:%S") if r.release_date else None,
        key_words=r.keywords or "",
        meta_tag_description=r.meta_description or "",
        is_visible=r.is_visible,
        is_active=r.active,
    )


def _find_product(c: Any, payload: vc.Product) -> int | None:
    found = c.catalog.get_product_by_ref_id(payload.ref_id)
    return found.id if found else None


PRODUCTS = EntitySpec(
    ENTITIES["product"],
    build=_product,
    create=lambda c, p: c.catalog.create_product(p).id,
    update=lambda c, vid, p: c.catalog.update_product(int(vid), p),
    lookup=_find_product,
)


@dataclass(frozen=True)
class ProductSpecPayload:
    """A product specification and the product it belongs to (the association's parent)."""

    product_id: int
    spec: vc.ProductSpecification

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"ProductId": self.product_id, **self.spec.model_dump(**kwargs)}


def _product_spec(r: Any, ids: dict[str, str]) -> ProductSpecPayload:
    value_id = _int(ids.get("specification_value"))
    spec = vc.ProductSpecification(
        field_id=_int(ids["specification_field"]) or 0,
        field_value_id=value_id,
        text=None if value_id else r.text,
    )
    return ProductSpecPayload(_int(ids["product"]) or 0, spec)


def _find_product_spec(c: Any, p: ProductSpecPayload) -> int | None:
    existing = c.catalog.list_product_specifications(p.product_id)
    return next((s.id for s in existing if s.field_id == p.spec.field_id), None)


def _replace_product_spec(c: Any, vtex_id: str, p: ProductSpecPayload) -> None:
    """VTEX has no PUT for a product specification association: delete, then add."""
    c.catalog.delete_product_specification(p.product_id, int(vtex_id))
    c.catalog.add_product_specification(p.product_id, p.spec)


PRODUCT_SPECIFICATIONS = EntitySpec(
    ENTITIES["product_specification"],
    build=_product_spec,
    create=lambda c, p: c.catalog.add_product_specification(p.product_id, p.spec).id,
    update=_replace_product_spec,
    lookup=_find_product_spec,
)


@dataclass(frozen=True)
class TradePolicyLink:
    """One product in one trade policy (a product row names several)."""

    product_ref_id: str
    trade_policy_id: int
    active: bool = True


def product_trade_policy_rows(products: list[Any]) -> list[TradePolicyLink]:
    return [TradePolicyLink(p.ref_id, int(tp)) for p in products for tp in p.trade_policies.split(",")]


def _link_trade_policy(c: Any, payload: dict[str, int]) -> str:
    c.catalog.add_product_to_trade_policy(payload["ProductId"], payload["StoreId"])
    return f"{payload['ProductId']}:{payload['StoreId']}"


PRODUCT_TRADE_POLICIES = EntitySpec(
    ENTITIES["product_trade_policy"],
    build=lambda r, ids: {"ProductId": _int(ids["product"]), "StoreId": r.trade_policy_id},
    upsert=_link_trade_policy,
    records=product_trade_policy_rows,
)


# --- SKUs ------------------------------------------------------------------------------------


def _sku(r: Any, ids: dict[str, str]) -> vc.Sku:
    return vc.Sku(
        product_id=_int(ids["product"]) or 0,
        name=r.name,
        ref_id=r.ref_id,
        is_active=r.active,
        activate_if_possible=False,
        packaged_height=float(r.packaged_height),
        packaged_length=float(r.packaged_length),
        packaged_width=float(r.packaged_width),
        packaged_weight_kg=float(r.packaged_weight_kg),
        height=_num(r.height),
        length=_num(r.length),
        width=_num(r.width),
        weight_kg=_num(r.weight_kg),
        manufacturer_code=r.manufacturer_code,
        measurement_unit=r.measurement_unit,
        unit_multiplier=float(r.unit_multiplier),
    )


def _find_sku(c: Any, payload: vc.Sku) -> int | None:
    return c.catalog.get_sku_id_by_ref_id(payload.ref_id)


SKUS = EntitySpec(
    ENTITIES["sku"],
    build=_sku,
    create=lambda c, p: c.catalog.create_sku(p).id,
    update=lambda c, vid, p: c.catalog.update_sku(int(vid), p),
    lookup=_find_sku,
    # VTEX refuses to create an active SKU: it is created inactive and activated once its
    # specifications and images are there (the activation step sees the hash differ).
    create_payload=lambda p: p.model_copy(update={"is_active": False}),
)


def _set_ean(c: Any, payload: dict[str, Any]) -> str:
    """Add the EAN; when VTEX refuses (already there), make sure it is the SKU's EAN."""
    sku_id, ean = payload["SkuId"], payload["Ean"]
    try:
        c.catalog.add_sku_ean(sku_id, ean)
    except VtexApiError as error:
        if error.status is None or error.status >= 500 or ean not in c.catalog.list_sku_eans(sku_id):
            raise
    return f"{sku_id}:{ean}"


SKU_EANS = EntitySpec(
    ENTITIES["sku_ean"],
    build=lambda r, ids: {"SkuId": _int(ids["sku"]), "Ean": r.ean},
    upsert=_set_ean,
    records=lambda skus: [s for s in skus if s.ean],
)


@dataclass(frozen=True)
class SkuSpecPayload:
    sku_id: int
    spec: vc.SkuSpecification

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"SkuId": self.sku_id, **self.spec.model_dump(**kwargs)}


def _find_sku_spec(c: Any, p: SkuSpecPayload) -> int | None:
    existing = c.catalog.list_sku_specifications(p.sku_id)
    return next((s.id for s in existing if s.field_id == p.spec.field_id), None)


SKU_SPECIFICATIONS = EntitySpec(
    ENTITIES["sku_specification"],
    build=lambda r, ids: SkuSpecPayload(
        _int(ids["sku"]) or 0,
        vc.SkuSpecification(
            field_id=_int(ids["specification_field"]) or 0,
            field_value_id=_int(ids["specification_value"]),
        ),
    ),
    create=lambda c, p: c.catalog.add_sku_specification(p.sku_id, p.spec).id,
    update=lambda c, vid, p: c.catalog.update_sku_specification(
        p.sku_id, p.spec.model_copy(update={"id": int(vid), "sku_id": p.sku_id})
    ),
    lookup=_find_sku_spec,
)


@dataclass(frozen=True)
class SkuFilePayload:
    sku_id: int
    file: vc.SkuFileInput

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"SkuId": self.sku_id, **self.file.model_dump(**kwargs)}


def _find_sku_file(c: Any, p: SkuFilePayload) -> int | None:
    existing = c.catalog.list_sku_files(p.sku_id)
    return next((f.id for f in existing if f.url == p.file.url or f.name == p.file.name), None)


SKU_IMAGES = EntitySpec(
    ENTITIES["sku_image"],
    build=lambda r, ids: SkuFilePayload(
        _int(ids["sku"]) or 0,
        vc.SkuFileInput(name=r.name, url=r.url, is_main=r.is_main, label=r.label, position=r.position),
    ),
    create=lambda c, p: c.catalog.create_sku_file(p.sku_id, p.file).id,
    update=lambda c, vid, p: c.catalog.update_sku_file(p.sku_id, int(vid), p.file),
    lookup=_find_sku_file,
)
