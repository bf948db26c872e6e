"""VTEX's Bulk Pricing import (bulk-pricing.json; guide bulk-pricing-import.md).

``POST /api/price-importer/pvt/import/{base-prices|fixed-prices}`` answers a batch in
``AWAITING_UPLOAD`` with a pre-signed upload; the CSV PUT there starts processing at once (this
API has no confirm step): ``RECEIVED`` -> ``VALIDATING`` -> ``PROCESSING`` -> ``DOCUMENTING`` ->
``COMPLETED`` | ``COMPLETED_WITH_ERRORS`` | ``FAILED`` (wrong header row).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request

from vtex_sandbox import bulk_jobs as jobs
from vtex_sandbox.bulk_jobs import BulkKind, RowError
from vtex_sandbox.errors import VtexError
from vtex_sandbox.orders_common import sandbox_now
from vtex_sandbox.pricing import FixedPrice, PriceBody, _price_doc, _upsert_fixed
from vtex_sandbox.routing import JsonBody, StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["bulk pricing"])
BASE_HEADER = ("SKU ID", "Cost Price", "Base Price", "List Price", "Child Account")
FIXED_HEADER = ("SKU ID", "Trade Policy", "Price", "List Price", "Min Quantity", "Date From", "Date To",
                "Child Account")  # fmt: skip
IMPORT_TYPES = {"base-prices": "base", "fixed-prices": "fixed"}


def _decimal(row: dict[str, str], column: str, required: bool) -> float | None:
    text = (row.get(column) or "").strip()
    if not text:
        if required:
            raise RowError("MISSING_REQUIRED_FIELD", f"{column} is required")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RowError("INVALID_VALUE", f"{column} is not a decimal: {text!r}") from exc
    if value < 0:
        raise RowError("INVALID_VALUE", f"{column} cannot be negative: {text}")
    return float(value)


def _sku(store: Store, row: dict[str, str]) -> str:
    sku = (row.get("SKU ID") or "").strip()
    if not sku:
        raise RowError("MISSING_REQUIRED_FIELD", "SKU ID is required")
    if not sku.isdigit() or store.get("skus", int(sku)) is None:
        raise RowError("SKU_NOT_FOUND", f"SKU {sku} does not exist")
    if (row.get("Child Account") or "").strip():
        raise RowError(
            "INVALID_CHILD_ACCOUNT", f"{row['Child Account']} is not a child account of this account"
        )
    return sku


def _apply_base(_request: Request, store: Store, _doc: dict[str, Any], row: dict[str, str]) -> str:
    sku = _sku(store, row)
    cost = _decimal(row, "Cost Price", True)
    base = _decimal(row, "Base Price", True)
    body = PriceBody(costPrice=cost, basePrice=base, listPrice=_decimal(row, "List Price", False))
    existing = store.get("prices", sku)
    doc = _price_doc(sku, body)
    doc["fixedPrices"] = existing["fixedPrices"] if existing else []
    store.put("prices", sku, doc)
    return "update" if existing else "insert"


def _apply_fixed(_request: Request, store: Store, _doc: dict[str, Any], row: dict[str, str]) -> str:
    sku = _sku(store, row)
    table = (row.get("Trade Policy") or "").strip()
    if not table:
        raise RowError("MISSING_REQUIRED_FIELD", "Trade Policy is required")
    quantity = (row.get("Min Quantity") or "").strip() or "1"
    if not quantity.isdigit() or int(quantity) < 1:
        raise RowError("INVALID_VALUE", f"Min Quantity must be a positive integer: {quantity!r}")
    dates = [(row.get(c) or "").strip() for c in ("Date From", "Date To")]
    date_range = {"from": dates[0], "to": dates[1]} if any(dates) else None
    value = _decimal(row, "Price", True)
    assert value is not None  # required
    try:
        fixed = FixedPrice(tradePolicyId=table, value=value,
                           listPrice=_decimal(row, "List Price", False), minQuantity=int(quantity),
                           dateRange=date_range)  # type: ignore[arg-type]  # fmt: skip
    except ValueError as exc:
        raise RowError(
            "INVALID_DATE_FORMAT", "Date From and Date To must be ISO 8601 UTC, To after From"
        ) from exc
    if store.get("prices", sku) is None:
        raise RowError("PRICE_NOT_FOUND", f"SKU {sku} has no base price yet")
    _upsert_fixed(store, sku, [fixed.as_json(table)])
    return "update"


def _error_row(line: int, row: dict[str, str], error: RowError, header: tuple[str, ...]) -> list[Any]:
    return [row.get(c) or "" for c in header] + [error.code, error.message]


def _error_row_of(header: tuple[str, ...]) -> Callable[[int, dict[str, str], RowError], list[Any]]:
    return lambda line, row, error: _error_row(line, row, error, header)


for _name, _header, _apply in (("base", BASE_HEADER, _apply_base), ("fixed", FIXED_HEADER, _apply_fixed)):
    jobs.register(BulkKind(
        name=f"price-{_name}", header=_header, apply_row=_apply,
        error_columns=(*_header, "Error Code", "Error Message"), error_row=_error_row_of(_header),
    ))  # fmt: skip


def _on_upload(_request: Request, store: Store, doc: dict[str, Any]) -> None:
    now = sandbox_now(store)
    jobs.set_status(doc, "RECEIVED", now)
    jobs.set_status(doc, "VALIDATING", now)
    if not doc["headerOk"]:
        jobs.set_status(doc, "FAILED", now)
        doc["failure"] = "The header row must be: " + ",".join(jobs.KINDS[doc["kind"]].header)
        return
    jobs.start_processing(doc, now, "PROCESSING")


jobs.ON_UPLOAD["price-base"] = jobs.ON_UPLOAD["price-fixed"] = _on_upload


def _finished(doc: dict[str, Any]) -> str:
    doc["stages"].append(["DOCUMENTING", doc["stages"][-1][1]])
    return "COMPLETED_WITH_ERRORS" if doc["errors"] else "COMPLETED"


def _view(doc: dict[str, Any]) -> dict[str, Any]:
    share = doc["done"] / doc["rows"] if doc["rows"] else (1 if doc["status"] != "AWAITING_UPLOAD" else 0)
    return {
        "batchId": doc["batchId"],
        "type": doc["kind"].removeprefix("price-"),
        "status": doc["status"],
        "stages": [{"status": s, "timestamp": jobs.iso(t)} for s, t in doc["stages"]],
        "outputs": doc.get("outputs", []),
        "bytesProcessed": int(doc["bytesTotal"] * share),
        "bytesTotal": doc["bytesTotal"],
        "errorCount": len(doc["errors"]),
        "createdAt": jobs.iso(doc["createdAt"]),
        "startedAt": jobs.iso(doc["startedAt"]) if doc["startedAt"] else None,
    }


def _batch(request: Request, store: Store, batch_id: str) -> dict[str, Any]:
    with store.transaction():
        doc = store.get(jobs.BATCH_KIND, batch_id)
        if doc is None or not doc["kind"].startswith("price-"):
            raise VtexError(404, f"Batch {batch_id} not found")
        jobs.advance(request, store, doc, _finished)
        return doc


@router.post("/api/price-importer/pvt/import/{importType}")
def start_import(importType: str, body: JsonBody, request: Request, store: StoreDep,
                 output: str = "none") -> dict[str, Any]:  # fmt: skip
    if importType not in IMPORT_TYPES:
        raise VtexError(400, "importType must be base-prices or fixed-prices")
    if output not in ("none", "email"):
        raise VtexError(400, "output must be none or email")
    jobs.check_size(body)
    outputs = ["email:" + request.app.state.config.app_key] if output == "email" else []
    with store.transaction():
        doc = jobs.create_batch(request, store, f"price-{IMPORT_TYPES[importType]}", outputs=outputs)
    return jobs.upload_answer(request, doc)


@router.get("/api/price-importer/pvt/batches/{batchId}")
def batch_status(batchId: str, request: Request, store: StoreDep) -> dict[str, Any]:
    return _view(_batch(request, store, batchId))


@router.get("/api/price-importer/pvt/batches/{batchId}/errors")
def batch_errors(batchId: str, request: Request, store: StoreDep) -> dict[str, str]:
    """A pre-signed URL of the error CSV: the import's columns plus Error Code and Error Message."""
    return {"url": jobs.errors_url(request, _batch(request, store, batchId))}
