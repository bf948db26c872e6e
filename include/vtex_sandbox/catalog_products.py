"""Catalog: products, product specifications and product <-> trade policy links."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from vtex_sandbox.catalog_common import VALUE_FIELD_TYPES, assign_id, get_or_404, require, slug
from vtex_sandbox.catalog_models import LegacyProductSpecificationIn, ProductIn, ProductSpecificationIn
from vtex_sandbox.catalog_tree import category_path
from vtex_sandbox.errors import bad_request, not_found, unknown_reference
from vtex_sandbox.routing import StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["catalog products"])

NAME_FORM_ONLY = ("CategoryPath", "BrandName")


# --- products --------------------------------------------------------------------------


def _category_by_path(store: Store, path: str) -> int:
    """Find or create each level of "Dept/Cat/Sub"; return the last level's id."""
    parent: int | None = None
    for name in [part for part in path.split("/") if part]:
        match = [c for c in store.find("categories", Name=name) if c.get("FatherCategoryId") == parent]
        if match:
            parent = match[0]["Id"]
            continue
        new_id = assign_id(store, "categories", None)
        store.put("categories", new_id, {
            "Id": new_id, "Name": name, "FatherCategoryId": parent, "Title": name, "Description": None,
            "Keywords": None, "IsActive": True, "LomadeeCampaignCode": None, "AdWordsRemarketingCode": None,
            "ShowInStoreFront": True, "ShowBrandFilter": True, "ActiveStoreFrontLink": True,
            "GlobalCategoryId": None, "StockKeepingUnitSelectionMode": "SPECIFICATION", "Score": None,
            "LinkId": slug(name),
        })  # fmt: skip
        parent = new_id
    if parent is None:
        raise bad_request("CategoryPath is empty")
    return parent


def _brand_by_name(store: Store, name: str) -> int:
    found = store.find("brands", Name=name)
    if found:
        return found[0]["Id"]
    new_id = assign_id(store, "brands", None)
    store.put("brands", new_id, {
        "Id": new_id, "Name": name, "Text": None, "Keywords": None, "SiteTitle": None, "Active": True,
        "MenuHome": False, "AdWordsRemarketingCode": None, "LomadeeCampaignCode": None, "Score": None,
        "LinkId": slug(name),
    })  # fmt: skip
    return new_id


def _product_doc(store: Store, body: ProductIn, product_id: int, creating: bool) -> dict[str, Any]:
    category_id, brand_id = body.CategoryId, body.BrandId
    if creating and category_id is None and body.CategoryPath:
        category_id = _category_by_path(store, body.CategoryPath)
    if creating and brand_id is None and body.BrandName:
        brand_id = _brand_by_name(store, body.BrandName)
    category = require(store, "categories", category_id, "Category")
    require(store, "brands", brand_id, "Brand")
    if body.RefId and any(p["Id"] != product_id for p in store.find("products", RefId=body.RefId)):
        raise bad_request(f"A product with RefId '{body.RefId}' already exists")
    doc = body.model_dump(exclude=set(NAME_FORM_ONLY))
    doc.update(
        Id=product_id,
        CategoryId=category_id,
        BrandId=brand_id,
        DepartmentId=category_path(store, category)[0]["Id"],
        LinkId=body.LinkId or slug(body.Name),
    )
    return doc


def trade_policy_ids(store: Store, product_id: int) -> list[int]:
    return [link["StoreId"] for link in store.find("product_trade_policies", ProductId=product_id)]


@router.post("/api/catalog/pvt/product")
async def create_product(body: ProductIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        product_id = assign_id(store, "products", body.Id)
        return store.put("products", product_id, _product_doc(store, body, product_id, creating=True))


@router.put("/api/catalog/pvt/product/{productId}")
def update_product(productId: int, body: ProductIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "products", productId, "Product")
        return store.put("products", productId, _product_doc(store, body, productId, creating=False))


@router.get("/api/catalog/pvt/product/{productId}")
def get_product(productId: int, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "products", productId, "Product")


@router.get("/api/catalog_system/pvt/products/productgetbyrefid/{refId}")
def get_product_by_ref(refId: str, store: StoreDep) -> dict[str, Any]:
    found = store.find("products", RefId=refId)
    if not found:
        raise not_found("Product with RefId", refId)
    return {**found[0], "ListStoreId": trade_policy_ids(store, found[0]["Id"])}


@router.get("/api/catalog_system/pvt/products/productget/{productId}")
def get_product_with_context(productId: int, store: StoreDep) -> dict[str, Any]:
    product = get_or_404(store, "products", productId, "Product")
    return {**product, "ListStoreId": trade_policy_ids(store, productId)}


# --- product specifications ------------------------------------------------------------


def set_product_specification(
    store: Store, product_id: int, field_id: int, value_id: int | None, text: str | None
) -> dict[str, Any]:
    """Attach a value to a product; a non-checkbox field keeps one value (same association id)."""
    field = require(store, "specification_fields", field_id, "Field")
    if field.get("IsStockKeepingUnit"):
        raise bad_request(f"Field {field_id} is a SKU specification, not a product specification")
    if field["FieldTypeId"] in VALUE_FIELD_TYPES:
        value = require(store, "specification_values", value_id, "FieldValue")
        if value["FieldId"] != field_id:
            raise bad_request(f"FieldValue {value_id} does not belong to field {field_id}")
        text = value["Name"]
    else:
        value_id = None
    existing = store.find("product_specifications", ProductId=product_id, FieldId=field_id)
    if field["FieldTypeId"] == 7:
        existing = [e for e in existing if e["FieldValueId"] == value_id]
    spec_id = existing[0]["Id"] if existing else assign_id(store, "product_specifications", None)
    doc = {
        "Id": spec_id,
        "ProductId": product_id,
        "FieldId": field_id,
        "FieldValueId": value_id,
        "Text": text,
    }
    return store.put("product_specifications", spec_id, doc)


@router.post("/api/catalog/pvt/product/{productId}/specification")
def add_product_specification(
    productId: int, body: ProductSpecificationIn, store: StoreDep
) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "products", productId, "Product")
        return set_product_specification(store, productId, body.FieldId, body.FieldValueId, body.Text)


@router.get("/api/catalog/pvt/product/{productId}/specification")
def list_product_specifications(productId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "products", productId, "Product")
    return store.find("product_specifications", ProductId=productId)


@router.delete("/api/catalog/pvt/product/{productId}/specification")
def delete_product_specifications(productId: int, store: StoreDep) -> None:
    with store.transaction():
        for spec in store.find("product_specifications", ProductId=productId):
            store.delete("product_specifications", spec["Id"])


@router.delete("/api/catalog/pvt/product/{productId}/specification/{specificationId}")
def delete_product_specification(productId: int, specificationId: int, store: StoreDep) -> None:
    spec = store.get("product_specifications", specificationId)
    if spec is None or spec["ProductId"] != productId:
        raise not_found("Product specification", specificationId)
    store.delete("product_specifications", specificationId)


def _field_for_legacy(store: Store, item: LegacyProductSpecificationIn) -> dict[str, Any]:
    if item.Id is not None:
        field = require(store, "specification_fields", item.Id, "Field")
    else:
        fields = store.find("specification_fields", Name=item.Name)
        matches = [f for f in fields if not f["IsStockKeepingUnit"]]
        if not matches:
            raise unknown_reference("Field", item.Name)
        field = matches[0]
    if field.get("IsStockKeepingUnit"):
        raise bad_request(f"Field {field['Id']} is a SKU specification, not a product specification")
    return field


def _set_field_values(store: Store, product_id: int, field: dict[str, Any], names: list[str]) -> None:
    """The product holds exactly `names` for this field: other values go, missing ones are
    added (an association kept keeps its id)."""
    field_id = field["Id"]
    existing = store.find("product_specifications", ProductId=product_id, FieldId=field_id)
    if field["FieldTypeId"] not in VALUE_FIELD_TYPES:  # a text field: one text
        if len(names) > 1:
            raise bad_request(f"Field {field_id} is a text field: it takes one value, not {len(names)}")
        for extra in existing[1:]:
            store.delete("product_specifications", extra["Id"])
        if not names:
            for spec in existing[:1]:
                store.delete("product_specifications", spec["Id"])
            return
        spec_id = existing[0]["Id"] if existing else assign_id(store, "product_specifications", None)
        store.put("product_specifications", spec_id, {"Id": spec_id, "ProductId": product_id,
                  "FieldId": field_id, "FieldValueId": None, "Text": names[0]})  # fmt: skip
        return
    if field["FieldTypeId"] != 7 and len(names) > 1:
        raise bad_request(f"Field {field_id} takes one value (only a checkbox field takes several)")
    wanted: dict[int, str] = {}
    for name in names:
        values = store.find("specification_values", FieldId=field_id, Name=name)
        if not values:
            raise unknown_reference(f"Value of field {field_id}", name)
        wanted[values[0]["FieldValueId"]] = values[0]["Name"]
    for spec in existing:
        if spec["FieldValueId"] not in wanted:
            store.delete("product_specifications", spec["Id"])
    held = {spec["FieldValueId"] for spec in existing}
    for value_id, name in wanted.items():
        if value_id not in held:
            spec_id = assign_id(store, "product_specifications", None)
            store.put("product_specifications", spec_id, {"Id": spec_id, "ProductId": product_id,
                      "FieldId": field_id, "FieldValueId": value_id, "Text": name})  # fmt: skip


@router.post("/api/catalog_system/pvt/products/{productId}/specification")
async def set_product_specifications_legacy(
    productId: int, body: list[LegacyProductSpecificationIn], store: StoreDep
) -> None:
    """All of a product's specifications in one call (catalog.json ``UpdateProductSpecification``):
    each field named (by `Id`, else by `Name`) holds exactly the values listed, by name (its
    other values go; a value the field does not have is a 400 naming it); the fields not named
    are left as they are. A text field takes one text. Nothing is written when an item is bad."""
    with store.transaction():
        get_or_404(store, "products", productId, "Product")
        fields = [(_field_for_legacy(store, item), item.Value) for item in body]
        for field, names in fields:
            _set_field_values(store, productId, field, list(dict.fromkeys(names)))


@router.get("/api/catalog_system/pvt/products/{productId}/specification")
def list_product_specifications_legacy(productId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "products", productId, "Product")
    grouped: dict[int, dict[str, Any]] = {}
    for spec in store.find("product_specifications", ProductId=productId):
        field = store.get("specification_fields", spec["FieldId"]) or {}
        entry = grouped.setdefault(
            spec["FieldId"], {"Value": [], "Id": spec["FieldId"], "Name": field.get("Name")}
        )
        entry["Value"].append(spec["Text"])
    return list(grouped.values())


# --- trade policies --------------------------------------------------------------------


@router.get("/api/catalog_system/pvt/saleschannel/list")
def list_trade_policies(store: StoreDep) -> list[dict[str, Any]]:
    return store.all("trade_policies")


@router.post("/api/catalog/pvt/product/{productId}/salespolicy/{tradePolicyId}")
async def add_trade_policy(productId: int, tradePolicyId: int, store: StoreDep) -> None:
    with store.transaction():
        get_or_404(store, "products", productId, "Product")
        get_or_404(store, "trade_policies", tradePolicyId, "Trade policy")
        store.put("product_trade_policies", f"{productId}-{tradePolicyId}",
                  {"ProductId": productId, "StoreId": tradePolicyId})  # fmt: skip


@router.delete("/api/catalog/pvt/product/{productId}/salespolicy/{tradePolicyId}")
def remove_trade_policy(productId: int, tradePolicyId: int, store: StoreDep) -> None:
    if not store.delete("product_trade_policies", f"{productId}-{tradePolicyId}"):
        raise not_found(f"Trade policy {tradePolicyId} of product", productId)


@router.get("/api/catalog/pvt/product/{productId}/salespolicy")
def list_product_trade_policies(productId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "products", productId, "Product")
    return store.find("product_trade_policies", ProductId=productId)
