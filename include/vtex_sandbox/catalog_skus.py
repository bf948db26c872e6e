"""Catalog: SKUs, SKU specifications, SKU files (images) and EANs."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from vtex_sandbox.catalog_activation import activate_if_possible, check_manual_activation
from vtex_sandbox.catalog_common import SKU_SPEC_FIELD_TYPES, assign_id, get_or_404, require
from vtex_sandbox.catalog_models import SkuFileIn, SkuIn, SkuSpecificationIn
from vtex_sandbox.catalog_specs import SKU_FIELD_TYPE_MESSAGE
from vtex_sandbox.errors import VtexError, bad_request, not_found
from vtex_sandbox.faults import applied_but_failed, fires
from vtex_sandbox.routing import StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["catalog skus"])

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif")


# --- SKUs ------------------------------------------------------------------------------


def _sku_doc(store: Store, body: SkuIn, sku_id: int) -> dict[str, Any]:
    require(store, "products", body.ProductId, "Product")
    if body.RefId and any(s["Id"] != sku_id for s in store.find("skus", RefId=body.RefId)):
        raise bad_request(f"A SKU with RefId '{body.RefId}' already exists")
    doc = body.model_dump()
    doc["Id"] = sku_id
    doc["CommercialConditionId"] = body.CommercialConditionId or 1
    doc["MeasurementUnit"] = body.MeasurementUnit or "un"
    doc["UnitMultiplier"] = body.UnitMultiplier or 1.0
    return doc


@router.post("/api/catalog/pvt/stockkeepingunit")
async def create_sku(body: SkuIn, store: StoreDep) -> dict[str, Any]:
    if body.IsActive:
        raise bad_request("A SKU cannot be created active: send IsActive false (and ActivateIfPossible true)")
    with store.transaction():
        sku_id = assign_id(store, "skus", body.Id)
        store.put("skus", sku_id, _sku_doc(store, body, sku_id))
        activate_if_possible(store, sku_id)
        return store.get("skus", sku_id) or {}


@router.put("/api/catalog/pvt/stockkeepingunit/{skuId}")
def update_sku(skuId: int, body: SkuIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        current = get_or_404(store, "skus", skuId, "SKU")
        doc = _sku_doc(store, body, skuId)
        check_manual_activation(store, doc, bool(current.get("IsActive")))
        store.put("skus", skuId, doc)
        activate_if_possible(store, skuId)
        return store.get("skus", skuId) or {}


@router.get("/api/catalog/pvt/stockkeepingunit/{skuId}")
def get_sku(skuId: int, store: StoreDep) -> dict[str, Any]:
    return get_or_404(store, "skus", skuId, "SKU")


@router.get("/api/catalog/pvt/stockkeepingunit")
def get_sku_by_ref(RefId: str, store: StoreDep) -> dict[str, Any]:
    found = store.find("skus", RefId=RefId)
    if not found:
        raise not_found("SKU with RefId", RefId)
    return found[0]


@router.get("/api/catalog_system/pvt/sku/stockkeepingunitidbyrefid/{refId}")
def sku_id_by_ref(refId: str, store: StoreDep) -> str:
    found = store.find("skus", RefId=refId)
    if not found:
        raise not_found("SKU with RefId", refId)
    return str(found[0]["Id"])


@router.post("/api/catalog_system/pub/sku/stockkeepingunitidsbyrefids")
def sku_ids_by_refs(body: list[str], store: StoreDep) -> dict[str, str | None]:
    if len(set(body)) != len(body):
        raise VtexError(500, "Duplicate RefIds in the request")
    result: dict[str, str | None] = {}
    for ref in body:
        found = store.find("skus", RefId=ref)
        result[ref] = str(found[0]["Id"]) if found else None
    return result


@router.get("/api/catalog_system/pvt/sku/stockkeepingunitByProductId/{productId}")
def skus_of_product(productId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "products", productId, "Product")
    return store.find("skus", ProductId=productId)


# --- SKU specifications ----------------------------------------------------------------


def _check_sku_field(store: Store, field_id: int, value_id: int | None) -> dict[str, Any]:
    field = require(store, "specification_fields", field_id, "Field")
    if field["FieldTypeId"] not in SKU_SPEC_FIELD_TYPES:
        raise bad_request(SKU_FIELD_TYPE_MESSAGE)
    value = require(store, "specification_values", value_id, "FieldValue")
    if value["FieldId"] != field_id:
        raise bad_request(f"FieldValue {value_id} does not belong to field {field_id}")
    return value


@router.post("/api/catalog/pvt/stockkeepingunit/{skuId}/specification")
async def add_sku_specification(skuId: int, body: SkuSpecificationIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        get_or_404(store, "skus", skuId, "SKU")
        value = _check_sku_field(store, body.FieldId, body.FieldValueId)
        existing = store.find("sku_specifications", SkuId=skuId, FieldId=body.FieldId)
        spec_id = existing[0]["Id"] if existing else assign_id(store, "sku_specifications", None)
        doc = {
            "Id": spec_id,
            "SkuId": skuId,
            "FieldId": body.FieldId,
            "FieldValueId": body.FieldValueId,
            "Text": value["Name"],
        }
        store.put("sku_specifications", spec_id, doc)
        return doc


@router.put("/api/catalog/pvt/stockkeepingunit/{skuId}/specification")
def update_sku_specification(skuId: int, body: SkuSpecificationIn, store: StoreDep) -> list[dict[str, Any]]:
    with store.transaction():
        get_or_404(store, "skus", skuId, "SKU")
        if body.Id is None:
            raise bad_request("The field 'Id' is required")
        spec = store.get("sku_specifications", body.Id)
        if spec is None or spec["SkuId"] != skuId:
            raise not_found("SKU specification", body.Id)
        value = _check_sku_field(store, spec["FieldId"], body.FieldValueId)
        store.put(
            "sku_specifications", body.Id, {**spec, "FieldValueId": body.FieldValueId, "Text": value["Name"]}
        )
        return store.find("sku_specifications", SkuId=skuId)


@router.get("/api/catalog/pvt/stockkeepingunit/{skuId}/specification")
def list_sku_specifications(skuId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "skus", skuId, "SKU")
    return store.find("sku_specifications", SkuId=skuId)


@router.delete("/api/catalog/pvt/stockkeepingunit/{skuId}/specification")
def delete_sku_specifications(skuId: int, store: StoreDep) -> None:
    with store.transaction():
        for spec in store.find("sku_specifications", SkuId=skuId):
            store.delete("sku_specifications", spec["Id"])


@router.delete("/api/catalog/pvt/stockkeepingunit/{skuId}/specification/{specificationId}")
def delete_sku_specification(skuId: int, specificationId: int, store: StoreDep) -> None:
    spec = store.get("sku_specifications", specificationId)
    if spec is None or spec["SkuId"] != skuId:
        raise not_found("SKU specification", specificationId)
    store.delete("sku_specifications", specificationId)


# --- SKU files -------------------------------------------------------------------------


def _file_doc(store: Store, sku_id: int, body: SkuFileIn, file_id: int) -> dict[str, Any]:
    url = body.Url.split("?")[0].lower()
    if not body.Url.startswith(("http://", "https://")) or not url.endswith(IMAGE_EXTENSIONS):
        raise bad_request("Url must be an http(s) address of a .jpg, .png or .gif image")
    if body.IsMain:  # one main image per SKU, always at position 0
        for other in store.find("sku_files", SkuId=sku_id, IsMain=True):
            if other["Id"] != file_id:
                store.put("sku_files", other["Id"], {**other, "IsMain": False})
    archive_id = file_id + 100_000
    digest = uuid.uuid5(uuid.NAMESPACE_URL, body.Url).hex
    return {
        "Id": file_id,
        "ArchiveId": archive_id,
        "SkuId": sku_id,
        "Name": body.Name,
        "IsMain": body.IsMain,
        "Text": body.Text,
        "Label": body.Label,
        "Url": body.Url,
        "FileLocation": f"vteximg.com.br/files/ids/{archive_id}/{digest}",
        "Position": 0 if body.IsMain else (body.Position if body.Position is not None else file_id),
    }


@router.post("/api/catalog/pvt/stockkeepingunit/{skuId}/file")
async def add_sku_file(
    skuId: int, body: SkuFileIn, store: StoreDep, request: Request
) -> list[dict[str, Any]]:
    """Answers an array holding the new file, as the API reference shows.

    Knob ``image_applied_error`` (VTEX known issue "SKU Insert File API may generate duplicate
    images if it fails"): the image is kept although the call answers 500.
    """
    with store.transaction():
        get_or_404(store, "skus", skuId, "SKU")
        file_id = assign_id(store, "sku_files", None)
        doc = store.put("sku_files", file_id, _file_doc(store, skuId, body, file_id))
        activate_if_possible(store, skuId)
    if fires(request, "image_applied_error"):
        raise applied_but_failed("SKU file")
    return [doc]


@router.put("/api/catalog/pvt/stockkeepingunit/{skuId}/file/{fileId}")
def update_sku_file(skuId: int, fileId: int, body: SkuFileIn, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        existing = store.get("sku_files", fileId)
        if existing is None or existing["SkuId"] != skuId:
            raise not_found("SKU file", fileId)
        return store.put("sku_files", fileId, _file_doc(store, skuId, body, fileId))


@router.get("/api/catalog/pvt/stockkeepingunit/{skuId}/file")
def list_sku_files(skuId: int, store: StoreDep) -> list[dict[str, Any]]:
    get_or_404(store, "skus", skuId, "SKU")
    return sorted(store.find("sku_files", SkuId=skuId), key=lambda f: (f["Position"], f["Id"]))


@router.delete("/api/catalog/pvt/stockkeepingunit/{skuId}/file")
def delete_sku_files(skuId: int, store: StoreDep) -> None:
    with store.transaction():
        for doc in store.find("sku_files", SkuId=skuId):
            store.delete("sku_files", doc["Id"])


@router.delete("/api/catalog/pvt/stockkeepingunit/{skuId}/file/{fileId}")
def delete_sku_file(skuId: int, fileId: int, store: StoreDep) -> None:
    existing = store.get("sku_files", fileId)
    if existing is None or existing["SkuId"] != skuId:
        raise not_found("SKU file", fileId)
    store.delete("sku_files", fileId)


# --- EANs ------------------------------------------------------------------------------


@router.post("/api/catalog/pvt/stockkeepingunit/{skuId}/ean/{ean}")
async def add_ean(skuId: int, ean: str, store: StoreDep) -> None:
    with store.transaction():
        get_or_404(store, "skus", skuId, "SKU")
        if any(e["SkuId"] != skuId for e in store.find("sku_eans", Ean=ean)):
            raise bad_request(f"EAN {ean} already belongs to another SKU")
        store.put("sku_eans", f"{skuId}-{ean}", {"SkuId": skuId, "Ean": ean})


@router.get("/api/catalog/pvt/stockkeepingunit/{skuId}/ean")
def list_eans(skuId: int, store: StoreDep) -> list[str]:
    get_or_404(store, "skus", skuId, "SKU")
    return [e["Ean"] for e in store.find("sku_eans", SkuId=skuId)]


@router.delete("/api/catalog/pvt/stockkeepingunit/{skuId}/ean")
def delete_eans(skuId: int, store: StoreDep) -> None:
    with store.transaction():
        for e in store.find("sku_eans", SkuId=skuId):
            store.delete("sku_eans", f"{skuId}-{e['Ean']}")


@router.delete("/api/catalog/pvt/stockkeepingunit/{skuId}/ean/{ean}")
def delete_ean(skuId: int, ean: str, store: StoreDep) -> None:
    if not store.delete("sku_eans", f"{skuId}-{ean}"):
        raise not_found(f"EAN {ean} of SKU", skuId)
