"""Catalog entities: ERP rows -> complete VTEX Catalog objects, and the calls that write them.

Every builder returns the *complete* object (VTEX PUTs wipe omitted fields), so the same
object serves create, update and the change hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from vtex_provider.exceptions import VtexApiError, VtexNotFoundError
from vtex_provider.models import catalog as vc
from vtex_sync.entities import ENTITIES
from vtex_sync.flows.engine import EntitySpec
from vtex_sync.flows.ownership import Owned

log = logging.getLogger(__name__)

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


def _update_category(c: Any, vtex_id: str, payload: vc.Category) -> None:
    category_id = int(vtex_id)
    current = c.catalog.get_category(category_id)
    c.catalog.update_category(category_id, c.ownership.merge(Owned.CATEGORY, current, payload))


def _find_category(c: Any, payload: vc.Category) -> int | None:
    found = c.catalog.find_category(payload.name, payload.father_category_id)
    return found.id if found else None


CATEGORIES = EntitySpec(
    ENTITIES["category"],
    build=_category,
    create=lambda c, p: c.catalog.create_category(p).id,
    update=_update_category,
    lookup=_find_category,
)


# --- brands ----------------------------------------------------------------------------------


def _update_brand(c: Any, vtex_id: str, payload: vc.Brand) -> None:
    brand_id = int(vtex_id)
    current = c.catalog.get_brand(brand_id)
    c.catalog.update_brand(brand_id, c.ownership.merge(Owned.BRAND, current, payload))


def _find_brand(c: Any, payload: vc.Brand) -> int | None:
    found = c.catalog.find_brand(payload.name)
    return found.id if found else None


# VTEX's create-brand schema requires the `Id`: the product chooses it from the brand's name,
# in a range of its own; an id another brand already holds moves on to the next candidate.
BRAND_ID_BASE, BRAND_ID_SPAN, BRAND_ID_TRIES = 100_000_000, 900_000_000, 20


def brand_ids(name: str) -> list[int]:
    """The candidate ids of a new brand, the same for the same (trimmed, case-folded) name."""
    digest = hashlib.sha256(name.strip().casefold().encode()).digest()
    first = int.from_bytes(digest[:8], "big") % BRAND_ID_SPAN
    return [BRAND_ID_BASE + (first + n) % BRAND_ID_SPAN for n in range(BRAND_ID_TRIES)]


def _create_brand(c: Any, payload: vc.Brand) -> int:
    """Create with the first free candidate id; one that holds this very brand (an earlier
    attempt whose answer was lost) is taken as it is."""
    for brand_id in brand_ids(payload.name):
        existing = c.catalog.get_brand(brand_id)
        if existing is None:
            return c.catalog.create_brand(payload.model_copy(update={"id": brand_id})).id or brand_id
        if _same(existing.name, payload.name):
            return brand_id
    raise RuntimeError(f"brand {payload.name!r}: no free id among {BRAND_ID_TRIES} candidates")


BRANDS = EntitySpec(
    ENTITIES["brand"],
    build=lambda r, ids: vc.Brand(
        name=r.name,
        text=r.meta_description,
        keywords=r.keywords,
        site_title=r.title or r.name,
        active=r.active,
    ),
    create=_create_brand,
    update=_update_brand,
    lookup=_find_brand,
)


# --- specifications --------------------------------------------------------------------------


# VTEX lists groups and fields per category only: one of the root category (no `CategoryId`,
# for all categories) is found by reading the ids after the highest one listed, in order,
# until PROBE_MISSES ids in a row answer 404.
PROBE_MISSES = 5
PROBE_LIMIT = 1000


def _probe(get: Any, start: int, matches: Any) -> int | None:
    misses, vtex_id = 0, start
    while misses < PROBE_MISSES and vtex_id < start + PROBE_LIMIT:
        vtex_id += 1
        found = get(vtex_id)
        if found is None:
            misses += 1
            continue
        misses = 0
        if matches(found):
            return vtex_id
    return None


def _departments(c: Any) -> list[int]:
    return [node.id for node in c.catalog.category_tree(1)]


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip() == (b or "").strip()


def _find_group(c: Any, payload: vc.SpecificationGroup) -> int | None:
    """The group with this name and category (a root-category group: found by id probing)."""
    if payload.category_id is not None:
        groups = c.catalog.list_specification_groups(payload.category_id)
        return next((g.id for g in groups if _same(g.name, payload.name)), None)
    listed = [g.id or 0 for cid in _departments(c) for g in c.catalog.list_specification_groups(cid)]
    return _probe(
        c.catalog.get_specification_group,
        max(listed, default=0),
        lambda g: g.category_id is None and _same(g.name, payload.name),
    )


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
    """The field with this name, group and category (a root-category one: by id probing)."""

    def matches(f: vc.SpecificationField) -> bool:
        return (
            _same(f.name, payload.name)
            and f.field_group_id == payload.field_group_id
            and (f.category_id or None) == payload.category_id
        )

    if payload.category_id is not None:
        listed = c.catalog.list_specification_fields(payload.category_id)
        for summary in listed:
            if _same(summary.name, payload.name):
                found = c.catalog.get_specification_field(summary.field_id)
                if found is not None and matches(found):
                    return summary.field_id
        return None
    ids = [f.field_id for cid in _departments(c) for f in c.catalog.list_specification_fields(cid)]
    return _probe(c.catalog.get_specification_field, max(ids, default=0), matches)


def _update_field(c: Any, vtex_id: str, payload: vc.SpecificationField) -> None:
    """VTEX's update requires the field's `CategoryId` (not editable): keep the one VTEX has; a
    field of the root category has none and is updated with its group's name instead."""
    field_id = int(vtex_id)
    current = c.catalog.get_specification_field(field_id)
    category = current.category_id if current is not None else payload.category_id
    if category is None:
        group = c.catalog.get_specification_group(payload.field_group_id)
        if group is None:
            raise LookupError(f"specification group {payload.field_group_id} is not in VTEX")
        c.catalog.update_root_specification_field(field_id, payload, group.name)
        return
    c.catalog.update_specification_field(field_id, payload.model_copy(update={"category_id": category}))


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
    update=_update_field,
    lookup=_find_field,
)


def _find_value(c: Any, payload: vc.SpecificationValue) -> int | None:
    """The value of this field with this name (both must match; names compare trimmed)."""
    values = c.catalog.list_specification_values(payload.field_id)
    return next((v.field_value_id for v in values if _same(v.value, payload.name)), None)


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


def _update_product(c: Any, vtex_id: str, payload: vc.Product) -> None:
    """Read-modify-write: the store's fields (tax code, URL slug, score, ...) go back unchanged."""
    product_id = int(vtex_id)
    current = c.catalog.get_product(product_id)
    c.catalog.update_product(product_id, c.ownership.merge(Owned.PRODUCT, current, payload))


def _find_product(c: Any, payload: vc.Product) -> int | None:
    found = c.catalog.get_product_by_ref_id(payload.ref_id)
    return found.id if found else None


def _deactivate_product(c: Any, binding: Any) -> None:
    """VTEX's own complete product sent back with ``IsActive: false`` (the ERP row is gone)."""
    product_id = int(binding.vtex_id)
    product = c.catalog.get_product(product_id)
    if product is not None and product.is_active:
        c.catalog.update_product(product_id, product.model_copy(update={"is_active": False}))


PRODUCTS = EntitySpec(
    ENTITIES["product"],
    build=_product,
    create=lambda c, p: c.catalog.create_product(p).id,
    update=_update_product,
    lookup=_find_product,
    remove=_deactivate_product,
)


@dataclass(frozen=True)
class ProductSpecPayload:
    """A product specification and the product it belongs to (the association's parent).

    `value_name` is how VTEX's one-call route names the value; it is not part of the hash (the
    association is the value's id: a renamed value is the value's own update)."""

    product_id: int
    spec: vc.ProductSpecification
    active: bool = True
    value_name: str | None = None

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"ProductId": self.product_id, "Active": self.active, **self.spec.model_dump(**kwargs)}

    @property
    def vtex_id(self) -> str:
        return f"{self.product_id}:{self.spec.field_id}:{self.spec.field_value_id or ''}"


@dataclass(frozen=True)
class NamedValue:
    """A product specification row with the name of its value (how the one-call route names it)."""

    row: Any
    value_name: str | None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def _product_spec(r: Any, ids: dict[str, str]) -> ProductSpecPayload:
    value_id = _int(ids.get("specification_value"))
    spec = vc.ProductSpecification(
        field_id=_int(ids["specification_field"]) or 0,
        field_value_id=value_id,
        text=None if value_id else r.text,
    )
    return ProductSpecPayload(_int(ids["product"]) or 0, spec, bool(r.active), getattr(r, "value_name", None))


def _delete_quietly(delete: Any, *args: int) -> None:
    try:
        delete(*args)
    except VtexNotFoundError:
        pass  # already gone


def _put_product_specs(c: Any, payloads: list[ProductSpecPayload]) -> list[str]:
    """Make VTEX hold exactly these specifications of one product, in one call.

    Every active field goes in one ``POST .../products/{id}/specification`` with all its values
    (VTEX replaces the values of each field it names, so a checkbox value switched off goes with
    it); a field whose every value is switched off is deleted by its association ids (one list
    call, then a delete each). The id map holds the stable `<product>:<field>:<value>`.
    """
    catalog, product_id = c.catalog, payloads[0].product_id
    fields: dict[int, list[str]] = {}
    switched_off: set[int] = set()
    for p in payloads:
        value = p.value_name if p.spec.field_value_id is not None else p.spec.text
        if not p.active:
            switched_off.add(p.spec.field_id)
        elif value is not None and value not in fields.setdefault(p.spec.field_id, []):
            fields[p.spec.field_id].append(value)
    if fields:
        items = [vc.ProductSpecificationValues(id=field, value=values) for field, values in fields.items()]
        catalog.set_product_specifications(product_id, items)
    gone = switched_off - fields.keys()
    if gone:
        for stale in catalog.list_product_specifications(product_id):
            if stale.field_id in gone and stale.id is not None:
                _delete_quietly(catalog.delete_product_specification, product_id, stale.id)
    return [p.vtex_id for p in payloads]


def _ids(vtex_id: str) -> list[int | None]:
    """The numbers of a composite VTEX id (``<product>:<field>:<value>``; empty parts None)."""
    return [int(part) if part else None for part in vtex_id.split(":")]


def _remove_product_spec(c: Any, binding: Any) -> None:
    """The ERP row is gone: its association (the field's, for a text field) is deleted."""
    product_id, field_id, value_id = _ids(binding.vtex_id)
    for stale in c.catalog.list_product_specifications(product_id or 0):
        if stale.field_id == field_id and value_id in (None, stale.field_value_id) and stale.id is not None:
            _delete_quietly(c.catalog.delete_product_specification, product_id or 0, stale.id)


PRODUCT_SPECIFICATIONS = EntitySpec(
    ENTITIES["product_specification"],
    build=_product_spec,
    upsert=lambda c, p: _put_product_specs(c, [p])[0],
    write_group=_put_product_specs,
    remove=_remove_product_spec,
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


def _unlink_trade_policy(c: Any, binding: Any) -> None:
    product_id, trade_policy_id = _ids(binding.vtex_id)
    _delete_quietly(c.catalog.remove_product_from_trade_policy, product_id or 0, trade_policy_id or 0)


PRODUCT_TRADE_POLICIES = EntitySpec(
    ENTITIES["product_trade_policy"],
    build=lambda r, ids: {"ProductId": _int(ids["product"]), "StoreId": r.trade_policy_id},
    upsert=_link_trade_policy,
    records=product_trade_policy_rows,
    remove=_unlink_trade_policy,
)


# --- SKUs ------------------------------------------------------------------------------------


def _sku(r: Any, ids: dict[str, str]) -> vc.Sku:
    return vc.Sku(
        product_id=_int(ids["product"]) or 0,
        name=r.name,
        ref_id=r.ref_id,
        is_active=r.active,
        activate_if_possible=r.active,
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


def not_activatable(c: Any, sku_id: int, sku: vc.Sku) -> str | None:
    """Why VTEX would refuse to activate this SKU (guide skus.md, "Activating an SKU"), or None.

    Checked here: a RefId or an EAN, and at least one image. VTEX itself activates a SKU created
    with `ActivateIfPossible` once the rest holds, so a SKU held back is activated by VTEX later.
    """
    if not (sku.ref_id or "").strip() and not c.catalog.list_sku_eans(sku_id):
        return "no RefId or EAN"
    if not c.catalog.list_sku_files(sku_id):
        return "no image"
    return None


def _update_sku(c: Any, vtex_id: str, payload: vc.Sku) -> None:
    """Read-modify-write; the ERP's active flag is sent only where VTEX's requirements are met.

    A SKU that cannot be activated (known beforehand, or an activation VTEX refuses with a 400
    while the same SKU inactive is accepted) is written inactive and logged once ("not
    activatable: <reason>"): its ERP row is then recorded as pushed, so later runs do not send
    it again until the ERP row changes. An update that would change nothing is not sent.
    """
    sku_id = int(vtex_id)
    current = c.catalog.get_sku(sku_id)
    sent = c.ownership.merge(Owned.SKU, current, payload)
    active = payload.is_active
    if active and not (current is not None and current.is_active):
        reason = not_activatable(c, sku_id, sent)
        if reason is not None:
            log.warning("sku %s (VTEX id %s): not activatable: %s", payload.ref_id, sku_id, reason)
            active = False
    # ActivateIfPossible follows the ERP: VTEX would switch a deactivated SKU on again by itself
    sent = sent.model_copy(update={"is_active": active, "activate_if_possible": payload.is_active})
    if current is not None and sent.to_body() == current.to_body():
        return
    try:
        c.catalog.update_sku(sku_id, sent)
    except VtexApiError as error:
        activating = active and not (current is not None and current.is_active)
        if not activating or error.status != 400:
            raise
        # a requirement checked only by VTEX (a SKU specification left unfilled, an inactive
        # product): the activation alone is dropped, the rest of the SKU is written
        inactive = sent.model_copy(update={"is_active": False})
        if current is None or inactive.to_body() != current.to_body():
            c.catalog.update_sku(sku_id, inactive)
        log.warning("sku %s (VTEX id %s): not activatable: %s", payload.ref_id, sku_id, error.message)


def _find_sku(c: Any, payload: vc.Sku) -> int | None:
    return c.catalog.get_sku_id_by_ref_id(payload.ref_id)


def _deactivate_sku(c: Any, binding: Any) -> None:
    """VTEX's own complete SKU sent back with ``IsActive: false`` (the ERP row is gone)."""
    sku_id = int(binding.vtex_id)
    sku = c.catalog.get_sku(sku_id)
    if sku is not None and sku.is_active:
        c.catalog.update_sku(sku_id, sku.model_copy(update={"is_active": False}))


SKUS = EntitySpec(
    ENTITIES["sku"],
    build=_sku,
    create=lambda c, p: c.catalog.create_sku(p).id,
    update=_update_sku,
    lookup=_find_sku,
    remove=_deactivate_sku,
    # VTEX refuses to create an active SKU: it is created inactive, with ActivateIfPossible where
    # the ERP has it active, and VTEX activates it when its image lands (the images follow the
    # SKU specifications, so its requirements hold by then): no call of its own. A SKU the ERP
    # has inactive is never switched on by VTEX.
    create_payload=lambda p: p.model_copy(update={"is_active": False, "activate_if_possible": p.is_active}),
    created_as_built=True,
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
    active: bool = True

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"SkuId": self.sku_id, "Active": self.active, **self.spec.model_dump(**kwargs)}


def _put_sku_spec(c: Any, p: SkuSpecPayload) -> str:
    """Make VTEX hold this value of the field on the SKU, or none when switched off.

    The association is found in VTEX by field every time, so a lost answer or an id VTEX
    changed never leaves a duplicate or a stale id; the id map holds `<sku>:<field>`.
    """
    catalog = c.catalog
    mine = [s for s in catalog.list_sku_specifications(p.sku_id) if s.field_id == p.spec.field_id]
    extra = mine if not p.active else mine[1:]
    for stale in extra:
        if stale.id is not None:
            _delete_quietly(catalog.delete_sku_specification, p.sku_id, stale.id)
    if p.active and not mine:
        catalog.add_sku_specification(p.sku_id, p.spec)
    elif p.active and mine[0].field_value_id != p.spec.field_value_id:
        update = {"id": mine[0].id, "sku_id": p.sku_id}
        catalog.update_sku_specification(p.sku_id, p.spec.model_copy(update=update))
    return f"{p.sku_id}:{p.spec.field_id}"


def _add_sku_spec(c: Any, p: SkuSpecPayload) -> str:
    """A SKU specification VTEX cannot hold yet: added, no read."""
    if p.active:
        c.catalog.add_sku_specification(p.sku_id, p.spec)
    return f"{p.sku_id}:{p.spec.field_id}"


def _remove_sku_spec(c: Any, binding: Any) -> None:
    sku_id, field_id = _ids(binding.vtex_id)
    _put_sku_spec(c, SkuSpecPayload(sku_id or 0, vc.SkuSpecification(field_id=field_id or 0), active=False))


SKU_SPECIFICATIONS = EntitySpec(
    ENTITIES["sku_specification"],
    build=lambda r, ids: SkuSpecPayload(
        _int(ids["sku"]) or 0,
        vc.SkuSpecification(
            field_id=_int(ids["specification_field"]) or 0,
            field_value_id=_int(ids["specification_value"]),
        ),
        bool(r.active),
    ),
    upsert=_put_sku_spec,
    upsert_finds_then_creates=True,
    create_new=_add_sku_spec,
    remove=_remove_sku_spec,
)


@dataclass(frozen=True)
class SkuFilePayload:
    sku_id: int
    file: vc.SkuFileInput
    active: bool = True

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"SkuId": self.sku_id, "Active": self.active, **self.file.model_dump(**kwargs)}


def _put_sku_file(c: Any, p: SkuFilePayload) -> str:
    """Make the SKU show this image (found in VTEX by URL, then by name), or remove it when the
    ERP switched it off. Found every time, so a lost answer leaves no duplicate; the id map
    holds `<sku>:<position>`."""
    catalog = c.catalog
    found = _find_file(catalog.list_sku_files(p.sku_id), p.file.url, p.file.name)
    if not p.active:
        if found is not None and found.id is not None:
            _delete_quietly(catalog.delete_sku_file, p.sku_id, found.id)
    elif found is None or found.id is None:
        catalog.create_sku_file(p.sku_id, p.file)
    else:
        catalog.update_sku_file(p.sku_id, found.id, p.file)
    return f"{p.sku_id}:{p.file.position}"


def _add_sku_file(c: Any, p: SkuFilePayload) -> str:
    """An image VTEX cannot hold yet: added, no read."""
    if p.active:
        c.catalog.create_sku_file(p.sku_id, p.file)
    return f"{p.sku_id}:{p.file.position}"


def _find_file(files: list[vc.SkuFile], url: str | None, name: str | None) -> vc.SkuFile | None:
    """A SKU's image by URL, then by name."""
    return next((f for f in files if url and f.url == url), None) or next(
        (f for f in files if name and f.name == name), None
    )


def _image_handle(p: SkuFilePayload) -> str:
    """The URL and name an image is found by: kept beside its binding for when the ERP row is gone."""
    return json.dumps({"url": p.file.url, "name": p.file.name})


def _remove_sku_file(c: Any, binding: Any) -> None:
    sku_id = int(str(binding.vtex_id).split(":", 1)[0])
    if not binding.handle:
        log.warning("sku_image %s: its URL and name were not recorded (written by an earlier version): "
                    "remove it in VTEX by hand if it is still on SKU %s", binding.erp_key, sku_id)
        return
    handle = json.loads(binding.handle)
    found = _find_file(c.catalog.list_sku_files(sku_id), handle.get("url"), handle.get("name"))
    if found is not None and found.id is not None:
        _delete_quietly(c.catalog.delete_sku_file, sku_id, found.id)


SKU_IMAGES = EntitySpec(
    ENTITIES["sku_image"],
    build=lambda r, ids: SkuFilePayload(
        _int(ids["sku"]) or 0,
        vc.SkuFileInput(name=r.name, url=r.url, is_main=r.is_main, label=r.label, position=r.position),
        bool(r.active),
    ),
    upsert=_put_sku_file,
    upsert_finds_then_creates=True,
    create_new=_add_sku_file,
    remove=_remove_sku_file,
    handle=_image_handle,
)
