"""VTEX's batch inventory updates (logistics.json ``/availability/v1/inventory/batch...``; guide
batch-inventory-updates.md), served on ``/availability/...`` and ``/{account}/availability/...``.

Create (201, ``AWAITING_UPLOAD``) -> PUT the CSV to ``upload.url`` -> confirm (202, ``QUEUED``;
a second confirm while one is in progress, ``bulk_confirm_seconds`` long, is 423; after it, 400)
-> ``PROCESSING`` -> ``COMPLETED`` | ``COMPLETED_WITH_ERRORS`` | ``FAILED`` (wrong header). A
batch not confirmed before its upload window ends is ``EXPIRED``.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from fastapi import APIRouter, Request, Response

from vtex_sandbox import bulk_jobs as jobs
from vtex_sandbox.bulk_jobs import BulkKind, RowError
from vtex_sandbox.errors import VtexError
from vtex_sandbox.logistics import _inventory_key
from vtex_sandbox.orders_common import sandbox_now
from vtex_sandbox.routing import StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["batch inventory"])
PREFIXES = ("/availability/v1/inventory/batch", "/{account}/availability/v1/inventory/batch")
HEADER = ("item_id", "account_name", "container_id", "quantity", "unlimited", "lead_time")
ERROR_COLUMNS = ("line_number", "item_id", "container_id", "error_code", "error_message")
KIND = "inventory"
CHUNK_ROWS = 50_000
# ISO 8601 duration, the CSV's lead_time format ("PT24H", "PT0S", "P1DT2H30M").
DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_confirming: set[str] = set()
_confirm_lock = threading.Lock()


def _lead_time(text: str) -> str:
    """``PT26H`` -> ``1.02:00:00`` (the ``dd.hh:mm:ss`` the inventory routes keep)."""
    match = DURATION.match(text)
    if not text or match is None or text in ("P", "PT") or text.endswith("T"):
        raise RowError("INVALID_DATE_FORMAT", f"lead_time is not an ISO 8601 duration: {text!r}")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    d, rest = divmod(total, 86_400)
    return f"{d}.{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def _apply(request: Request, store: Store, _doc: dict[str, Any], row: dict[str, str]) -> str:
    values = {c: (row.get(c) or "").strip() for c in HEADER}
    for column in ("item_id", "account_name", "container_id", "quantity"):
        if not values[column]:
            raise RowError("MISSING_REQUIRED_FIELD", f"{column} is required")
    if not re.fullmatch(r"\d+", values["quantity"]):
        raise RowError("INVALID_QUANTITY", f"quantity must be a non-negative integer: {values['quantity']}")
    if values["unlimited"] not in ("", "true", "false"):
        raise RowError("INVALID_FORMAT", f"unlimited must be true or false: {values['unlimited']!r}")
    lead_time = _lead_time(values["lead_time"]) if values["lead_time"] else "0.00:00:00"
    sku, warehouse = values["item_id"], values["container_id"]
    if values["account_name"] != request.app.state.config.account:
        raise RowError("UNKNOWN", f"account {values['account_name']} is not this account")
    if not sku.isdigit() or store.get("skus", int(sku)) is None:
        raise RowError("UNKNOWN", f"SKU {sku} does not exist")
    if store.get("warehouses", warehouse) is None:
        raise RowError("UNKNOWN", f"warehouse {warehouse} does not exist")
    key = _inventory_key(int(sku), warehouse)
    current = store.get("inventory", key)
    new = {"quantity": int(values["quantity"]), "unlimitedQuantity": values["unlimited"] == "true",
           "leadTime": lead_time}  # fmt: skip
    base = current or {"skuId": sku, "warehouseId": warehouse, "reservedQuantity": 0}
    if current and all(current.get(k) == v for k, v in new.items()):
        return "noop"
    store.put("inventory", key, {**base, **new})
    return "update" if current else "insert"


def _error_row(line: int, row: dict[str, str], error: RowError) -> list[Any]:
    return [line, row.get("item_id") or "", row.get("container_id") or "", error.code, error.message]


jobs.register(BulkKind(KIND, HEADER, _apply, ERROR_COLUMNS, _error_row))
jobs.ON_UPLOAD[KIND] = lambda _request, _store, _doc: None  # processing waits for the confirm


def _finished(doc: dict[str, Any]) -> str:
    return "COMPLETED_WITH_ERRORS" if doc["errors"] else "COMPLETED"


def _batch(request: Request, store: Store, batch_id: str) -> dict[str, Any]:
    doc = jobs.get_batch(store, batch_id, KIND)
    now = sandbox_now(store)
    if doc["status"] == "AWAITING_UPLOAD" and now > _confirm_deadline(doc):
        jobs.set_status(doc, "EXPIRED", now)
        store.put(jobs.BATCH_KIND, batch_id, doc)
    jobs.advance(request, store, doc, _finished)
    return doc


def _confirm_deadline(doc: dict[str, Any]) -> float:
    """Upload before ``expiresAt``; confirm within the same window after the upload (guide)."""
    window = doc["uploadExpiresAt"] - doc["createdAt"]
    return doc["uploadedAt"] + window if doc["uploadedAt"] else doc["uploadExpiresAt"]


def _route(method: str, path: str, **kwargs: Any) -> Any:
    def register(handler: Any) -> Any:
        for prefix in PREFIXES:
            name = f"{handler.__name__} {prefix}"
            router.add_api_route(prefix + path, handler, methods=[method], name=name, **kwargs)
        return handler

    return register


@_route("POST", "", status_code=201)
def create_batch(request: Request, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        doc = jobs.create_batch(request, store, KIND)
    return jobs.upload_answer(request, doc)


def confirm_batch(batchId: str, request: Request, store: StoreDep) -> Response:
    with _confirm_lock:
        if batchId in _confirming:
            raise VtexError(423, f"There is already a commit in progress for batch {batchId}")
        _confirming.add(batchId)
    try:
        time.sleep(jobs.knob(request, "bulk_confirm_seconds"))  # the commit in progress (wall clock)
        with store.transaction():
            doc = _batch(request, store, batchId)
            if doc["status"] != "AWAITING_UPLOAD" or doc["uploadedAt"] is None:
                state = "no CSV uploaded yet" if doc["status"] == "AWAITING_UPLOAD" else doc["status"]
                raise VtexError(400, f"Batch {batchId} cannot be confirmed: {state}")
            now = sandbox_now(store)
            jobs.set_status(doc, "QUEUED", now)
            if doc["headerOk"]:
                jobs.start_processing(doc, now, "PROCESSING")
            else:
                jobs.set_status(doc, "FAILED", now)
            store.put(jobs.BATCH_KIND, batchId, doc)
    finally:
        with _confirm_lock:
            _confirming.discard(batchId)
    return Response(status_code=202)


# The reference names it /confirm; the guide and the release note link it as /commit.
_route("POST", "/{batchId}/confirm", status_code=202)(confirm_batch)
_route("POST", "/{batchId}/commit", status_code=202)(confirm_batch)


@_route("GET", "/{batchId}/status")
def batch_status(batchId: str, request: Request, store: StoreDep) -> dict[str, Any]:
    with store.transaction():
        doc = _batch(request, store, batchId)
    rows, done = doc["rows"], doc["done"]
    chunks = max(1, -(-rows // CHUNK_ROWS))
    done_chunks = chunks if doc["status"].startswith("COMPLETED") else done // CHUNK_ROWS
    outcomes = doc["outcomes"]
    return {
        "batchId": doc["batchId"], "status": doc["status"], "rowCount": rows, "processedCount": done,
        "errorCount": len(doc["errors"]), "amountCompleted": int(100 * done / rows) if rows else 0,
        "createdAt": jobs.iso(doc["createdAt"]),
        "startedAt": jobs.iso(doc["startedAt"]) if doc["startedAt"] else None,
        "stages": {"ingestedChunks": chunks if doc["startedAt"] else 0, "classifiedChunks": done_chunks,
                   "processedChunks": done_chunks, "notifiedChunks": done_chunks, "totalChunks": chunks},
        "summary": {"insertCount": outcomes.get("insert", 0), "updateCount": outcomes.get("update", 0),
                    "noopCount": outcomes.get("noop", 0), "conflictCount": 0, "skippedDueApiUpdateCount": 0,
                    "perItemRoutedCount": 0, "dlqEventsCount": 0},
    }  # fmt: skip


@_route("GET", "/{batchId}/errors", response_model=None)
def batch_errors(batchId: str, request: Request, store: StoreDep) -> dict[str, Any] | Response:
    """200 with a pre-signed ``downloadUrl`` once finished with errors; 204 otherwise."""
    with store.transaction():
        doc = _batch(request, store, batchId)
    if not doc["errors"] or doc["status"] != "COMPLETED_WITH_ERRORS":
        return Response(status_code=204)
    return {
        "batchId": batchId,
        "downloadUrl": jobs.errors_url(request, doc),
        "errorCount": len(doc["errors"]),
    }
