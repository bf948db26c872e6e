"""Catalog: specification groups, fields and values (current and legacy routes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from vtex_sandbox.catalog_common import (
    FIELD_TYPE_NAMES,
    SKU_SPEC_FIELD_TYPES,
    VALUE_FIELD_TYPES,
    assign_id,
    get_or_404,
    require,
)
from vtex_sandbox.catalog_models import SpecificationFieldIn, SpecificationGroupIn, SpecificationValueIn
from vtex_sandbox.errors import bad_request
from vtex_sandbox.routing import StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["catalog specifications"])

SKU_FIELD_TYPE_MESSAGE = "Sku Field can be only of the Radio or Combo type"


# --- groups ----------------------------------------------------------------------------


def _group_doc(store: Store, body: SpecificationGroupIn, group_id: int) -> dict[str, Any]:
    if body.CategoryId is not None:
        require(store, "categories", body.CategoryId, "Category")
    return {"Id": group_id, "CategoryId": body.CategoryId, "Name": body.Name, "Position": body.Position}


def _create_group(body: SpecificationGroupIn, store: Store) -> dict[str, Any]:
    with store.transaction():
        group_id = assign_id(store, "specification_groups", body.Id)
        return store.put("specification_groups", group_id, _group_doc(store, body, group_id))


def _update_group(group_id: int, body: SpecificationGroupIn, store: Store) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "specification_groups", group_id, "Specification group")
        return store.put("specification_groups", group_id, _group_doc(store, body, group_id))


@router.post("/api/catalog/pvt/specificationgroup")
def create_group(body: SpecificationGroupIn, store: StoreDep) -> dict[str, Any]:
    return _create_group(body, store)


@router.put("/api/catalog/pvt/specificationgroup/{groupId}")
def update_group(groupId: int, body: SpecificationGroupIn, store: StoreDep) -> dict[str, Any]:
    return _update_group(groupId, body, store)


@router.get("/api/catalog/pvt/specificationgroup/{groupId}")
def get_group(groupId: int, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "specification_groups", groupId, "Specification group")


@router.get("/api/catalog_system/pub/specification/groupGet/{groupId}")
def get_group_documented(groupId: int, store: StoreDep) -> dict[str, Any]:
    """The documented read of one group (catalog.json `groupGet`)."""
    return get_group(groupId, store)


@router.post("/api/catalog_system/pvt/specification/group")
def create_group_legacy(body: SpecificationGroupIn, store: StoreDep) -> dict[str, Any]:
    return _create_group(body, store)


@router.put("/api/catalog_system/pvt/specification/group")
def update_group_legacy(body: SpecificationGroupIn, store: StoreDep) -> dict[str, Any]:
    if body.Id is None:
        raise bad_request("The field 'Id' is required")
    return _update_group(body.Id, body, store)


@router.get("/api/catalog_system/pvt/specification/groupbycategory/{categoryId}")
def groups_by_category(categoryId: int, store: StoreDep) -> list[dict[str, Any]]:
    return store.find("specification_groups", CategoryId=categoryId)


# --- fields ----------------------------------------------------------------------------


def _field_doc(store: Store, body: SpecificationFieldIn, field_id: int) -> dict[str, Any]:
    if body.FieldTypeId not in FIELD_TYPE_NAMES:
        raise bad_request(f"FieldTypeId {body.FieldTypeId} is not a valid field type")
    if body.IsStockKeepingUnit and body.FieldTypeId not in SKU_SPEC_FIELD_TYPES:
        raise bad_request(SKU_FIELD_TYPE_MESSAGE)
    require(store, "specification_groups", body.FieldGroupId, "FieldGroup")
    if body.CategoryId is not None:
        require(store, "categories", body.CategoryId, "Category")
    doc = body.model_dump()
    doc["Id"] = field_id
    return doc


def _create_field(body: SpecificationFieldIn, store: Store) -> dict[str, Any]:
    with store.transaction():
        field_id = assign_id(store, "specification_fields", body.Id)
        return store.put("specification_fields", field_id, _field_doc(store, body, field_id))


def _update_field(field_id: int, body: SpecificationFieldIn, store: Store) -> dict[str, Any]:
    with store.transaction():
        old = get_or_404(store, "specification_fields", field_id, "Specification field")
        doc = _field_doc(store, body, field_id)
        for fixed in ("FieldTypeId", "CategoryId", "FieldGroupId", "IsStockKeepingUnit"):
            doc[fixed] = old[fixed]  # not editable after creation
        return store.put("specification_fields", field_id, doc)


def legacy_field_view(store: Store, doc: dict[str, Any]) -> dict[str, Any]:
    group = store.get("specification_groups", doc["FieldGroupId"]) or {}
    view = {k: v for k, v in doc.items() if k not in ("Id", "FieldId")}
    return {
        "FieldId": doc["Id"],
        **view,
        "FieldTypeName": FIELD_TYPE_NAMES.get(doc["FieldTypeId"]),
        "FieldValueId": None,
        "FieldGroupName": group.get("Name"),
    }


@router.post("/api/catalog/pvt/specification")
def create_field(body: SpecificationFieldIn, store: StoreDep) -> dict[str, Any]:
    return _create_field(body, store)


@router.put("/api/catalog/pvt/specification/{fieldId}")
def update_field(fieldId: int, body: SpecificationFieldIn, store: StoreDep) -> dict[str, Any]:
    return _update_field(fieldId, body, store)


@router.get("/api/catalog/pvt/specification/{fieldId}")
def get_field(fieldId: int, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "specification_fields", fieldId, "Specification field")


class LegacyFieldIn(SpecificationFieldIn):
    FieldId: int | None = None


@router.post("/api/catalog_system/pvt/specification/field")
def create_field_legacy(body: LegacyFieldIn, store: StoreDep) -> int:
    """Answers the new field's id as a bare integer, like VTEX."""
    body.Id = body.Id if body.Id is not None else body.FieldId
    return _create_field(body, store)["Id"]


@router.put("/api/catalog_system/pvt/specification/field")
def update_field_legacy(body: LegacyFieldIn, store: StoreDep) -> int:
    field_id = body.FieldId if body.FieldId is not None else body.Id
    if field_id is None:
        raise bad_request("The field 'FieldId' is required")
    return _update_field(field_id, body, store)["Id"]


@router.get("/api/catalog_system/pub/specification/fieldGet/{fieldId}")
def get_field_legacy(fieldId: int, store: StoreDep) -> dict[str, Any]:
    return legacy_field_view(store, get_or_404(store, "specification_fields", fieldId, "Specification field"))


@router.get("/api/catalog_system/pub/specification/field/listByCategoryId/{categoryId}")
def fields_by_category(categoryId: int, store: StoreDep) -> list[dict[str, Any]]:
    return [legacy_field_view(store, f) for f in store.find("specification_fields", CategoryId=categoryId)]


# --- values ----------------------------------------------------------------------------


def _value_doc(store: Store, body: SpecificationValueIn, value_id: int) -> dict[str, Any]:
    field = require(store, "specification_fields", body.FieldId, "Field")
    if field["FieldTypeId"] not in VALUE_FIELD_TYPES:
        raise bad_request(f"Field {body.FieldId} does not take values (only Combo, Radio and Checkbox do)")
    return {"FieldValueId": value_id, **body.model_dump()}


class SpecificationValueWithId(SpecificationValueIn):
    FieldValueId: int | None = None


def _create_value(body: SpecificationValueWithId, store: Store) -> dict[str, Any]:
    with store.transaction():
        value_id = assign_id(store, "specification_values", body.FieldValueId)
        doc = _value_doc(store, SpecificationValueIn.model_validate(body.model_dump()), value_id)
        return store.put("specification_values", value_id, doc)


def _update_value(value_id: int, body: SpecificationValueIn, store: Store) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "specification_values", value_id, "Specification value")
        doc = _value_doc(store, SpecificationValueIn.model_validate(body.model_dump()), value_id)
        return store.put("specification_values", value_id, doc)


@router.post("/api/catalog/pvt/specificationvalue")
def create_value(body: SpecificationValueWithId, store: StoreDep) -> dict[str, Any]:
    return _create_value(body, store)


@router.put("/api/catalog/pvt/specificationvalue/{valueId}")
def update_value(valueId: int, body: SpecificationValueIn, store: StoreDep) -> dict[str, Any]:
    return _update_value(valueId, body, store)


@router.get("/api/catalog/pvt/specificationvalue/{valueId}")
def get_value(valueId: int, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "specification_values", valueId, "Specification value")


@router.post("/api/catalog_system/pvt/specification/fieldValue")
def create_value_legacy(body: SpecificationValueWithId, store: StoreDep) -> dict[str, Any]:
    return _create_value(body, store)


@router.put("/api/catalog_system/pvt/specification/fieldValue")
def update_value_legacy(body: SpecificationValueWithId, store: StoreDep) -> dict[str, Any]:
    if body.FieldValueId is None:
        raise bad_request("The field 'FieldValueId' is required")
    return _update_value(body.FieldValueId, body, store)


@router.get("/api/catalog_system/pub/specification/fieldvalue/{fieldId}")
def values_of_field(fieldId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "specification_fields", fieldId, "Specification field")
    return [
        {
            "FieldValueId": v["FieldValueId"],
            "Value": v["Name"],
            "IsActive": v["IsActive"],
            "Position": v["Position"],
        }
        for v in store.find("specification_values", FieldId=fieldId)
    ]
