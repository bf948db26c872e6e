"""What VTEX's two bulk imports share: batch records, pre-signed upload URLs, paced processing.

A batch is created by a VTEX route, its CSV is PUT to a pre-signed URL (served here under
``/_s3/...``, without VTEX credentials, like S3), and its rows are then applied at
``bulk_rows_per_second`` on the sandbox clock (``/_sandbox/orders/clock/advance`` moves it too).
Each import kind (``bulk_pricing``, ``bulk_inventory``) registers a ``BulkKind`` that parses and
applies one row and renders its status.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from vtex_sandbox.errors import VtexError
from vtex_sandbox.orders_common import sandbox_now
from vtex_sandbox.store import Store

router = APIRouter(tags=["bulk uploads"])
UPLOAD_PREFIX = "/_s3"  # no VTEX credentials here: the URL's signature is the credential
BATCH_KIND = "bulk_batches"
CSV_KIND = "bulk_csv"
ERRORS_URL_LIFE_S = 3600
MAX_BYTES = 500 * 1024 * 1024


class RowError(Exception):
    """A row that fails: ``code`` as VTEX's error report spells it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class BulkKind:
    """One kind of import: its CSV header and how one row is applied (returns an outcome name)."""

    name: str
    header: tuple[str, ...]
    apply_row: Callable[[Request, Store, dict[str, Any], dict[str, str]], str]
    error_columns: tuple[str, ...]  # columns of the error CSV
    error_row: Callable[[int, dict[str, str], RowError], list[Any]]


KINDS: dict[str, BulkKind] = {}


def register(kind: BulkKind) -> None:
    KINDS[kind.name] = kind


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def knob(request: Request, name: str) -> float:
    return float(request.app.state.faults[name])


# --- signed URLs -------------------------------------------------------------------------


def _signature(request: Request, path: str, expires: float) -> str:
    secret: bytes = request.app.state.bulk_secret
    return hmac.new(secret, f"{path}|{int(expires)}".encode(), hashlib.sha256).hexdigest()


def signed_url(request: Request, path: str, expires: float) -> str:
    base = str(request.base_url).rstrip("/")
    query = f"X-Amz-Expires={int(expires)}&X-Amz-Signature={_signature(request, path, expires)}"
    return f"{base}{path}?{query}"


def _check_signature(request: Request, store: Store) -> None:
    expires = request.query_params.get("X-Amz-Expires", "")
    given = request.query_params.get("X-Amz-Signature", "")
    if not expires.isdigit() or not hmac.compare_digest(
        given, _signature(request, request.url.path, int(expires))
    ):
        raise _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
    if sandbox_now(store) > int(expires):
        raise _s3_error(403, "AccessDenied", "Request has expired")


def _s3_error(status: int, code: str, message: str) -> VtexError:
    return VtexError(status, message, body={"Error": {"Code": code, "Message": message}})


# --- batches -------------------------------------------------------------------------------


def create_batch(request: Request, store: Store, kind: str, **extra: Any) -> dict[str, Any]:
    now = sandbox_now(store)
    batch_id = str(uuid.uuid4())
    expires = now + knob(request, "bulk_upload_expiry_s")
    doc = {
        "batchId": batch_id, "kind": kind, "status": "AWAITING_UPLOAD", "createdAt": now,
        "uploadExpiresAt": expires, "stages": [["AWAITING_UPLOAD", now]], "rows": 0, "done": 0,
        "errors": [], "outcomes": {}, "startedAt": None, "uploadedAt": None, "bytesTotal": 0, **extra,
    }  # fmt: skip
    store.put(BATCH_KIND, batch_id, doc)
    return doc


def upload_answer(request: Request, doc: dict[str, Any]) -> dict[str, Any]:
    path = f"{UPLOAD_PREFIX}/{doc['kind']}/{doc['batchId']}.csv"
    return {
        "batchId": doc["batchId"],
        "status": doc["status"],
        "upload": {
            "method": "PUT",
            "url": signed_url(request, path, doc["uploadExpiresAt"]),
            "headers": {"Content-Type": "text/csv"},
            "expiresAt": iso(doc["uploadExpiresAt"]),
        },
    }


def get_batch(store: Store, batch_id: str, kind: str) -> dict[str, Any]:
    doc = store.get(BATCH_KIND, batch_id)
    if doc is None or doc["kind"] != kind:
        raise VtexError(404, f"Batch {batch_id} not found")
    return doc


def set_status(doc: dict[str, Any], status: str, now: float) -> None:
    doc["status"] = status
    doc["stages"].append([status, now])


def start_processing(doc: dict[str, Any], now: float, *stages: str) -> None:
    for stage in stages:
        set_status(doc, stage, now)
    doc["startedAt"] = now


def _rows(store: Store, batch_id: str) -> list[dict[str, str]]:
    text = (store.get(CSV_KIND, batch_id) or {}).get("text", "")
    return list(csv.DictReader(io.StringIO(text), restkey="_extra", restval=None))


def advance(
    request: Request, store: Store, doc: dict[str, Any], finished: Callable[[dict[str, Any]], str]
) -> None:
    """Apply the rows due by now (rate ``bulk_rows_per_second``); ``finished`` names the end state."""
    if doc["status"] != "PROCESSING":
        return
    now = sandbox_now(store)
    rate = max(knob(request, "bulk_rows_per_second"), 0.001)
    due = min(doc["rows"], int((now - doc["startedAt"]) * rate) + 1)
    if due > doc["done"]:
        kind = KINDS[doc["kind"]]
        rows = _rows(store, doc["batchId"])
        for index in range(doc["done"], due):
            row = rows[index]
            try:
                if row.get("_extra") or None in row.values():
                    raise RowError("INVALID_FORMAT", f"expected {len(kind.header)} columns")
                outcome = kind.apply_row(request, store, doc, row)
                doc["outcomes"][outcome] = doc["outcomes"].get(outcome, 0) + 1
            except RowError as exc:
                doc["errors"].append(kind.error_row(index + 2, row, exc))  # line 1 is the header
        doc["done"] = due
    if doc["done"] >= doc["rows"]:
        set_status(doc, finished(doc), now)
    store.put(BATCH_KIND, doc["batchId"], doc)


def errors_url(request: Request, doc: dict[str, Any]) -> str:
    path = f"{UPLOAD_PREFIX}/errors/{doc['batchId']}.csv"
    return signed_url(request, path, sandbox_now(request.app.state.store) + ERRORS_URL_LIFE_S)


# --- the storage side (pre-signed PUT and GET) ------------------------------------------------

OnUpload = Callable[[Request, Store, dict[str, Any]], None]
ON_UPLOAD: dict[str, OnUpload] = {}


@router.put(UPLOAD_PREFIX + "/{kind}/{batch_id}.csv")
async def upload_csv(kind: str, batch_id: str, request: Request) -> Response:
    """The pre-signed upload: ``Content-Type: text/csv``, the header row first, UTF-8."""
    store: Store = request.app.state.store
    _check_signature(request, store)
    if not request.headers.get("content-type", "").startswith("text/csv"):
        raise _s3_error(403, "SignatureDoesNotMatch", "The signed Content-Type is text/csv")
    raw = await request.body()
    with store.transaction():
        doc = get_batch(store, batch_id, kind)
        if doc["status"] != "AWAITING_UPLOAD":
            raise _s3_error(409, "InvalidState", f"Batch {batch_id} is {doc['status']}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _s3_error(400, "InvalidEncoding", "The CSV must be UTF-8") from exc
        store.put(CSV_KIND, batch_id, {"text": text})
        header = tuple(next(csv.reader(io.StringIO(text)), []))
        doc.update(rows=len(_rows(store, batch_id)), bytesTotal=len(raw),
                   uploadedAt=sandbox_now(store), headerOk=header == KINDS[kind].header)  # fmt: skip
        ON_UPLOAD[kind](request, store, doc)
        store.put(BATCH_KIND, batch_id, doc)
    return Response(status_code=200)


@router.get(UPLOAD_PREFIX + "/errors/{batch_id}.csv")
def download_errors(batch_id: str, request: Request) -> Response:
    """The error report: the kind's error columns, one line per failed row."""
    store: Store = request.app.state.store
    _check_signature(request, store)
    doc = store.get(BATCH_KIND, batch_id)
    if doc is None:
        raise _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KINDS[doc["kind"]].error_columns)
    writer.writerows(doc["errors"])
    return Response(out.getvalue(), media_type="text/csv")


def check_size(body: Any) -> None:
    """The create-batch body of the Bulk Pricing API: a CSV of at most 500 MB."""
    if not isinstance(body, dict) or body.get("contentType") != "text/csv":
        raise VtexError(400, "contentType must be text/csv")
    size = body.get("contentLengthBytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise VtexError(400, "contentLengthBytes must be a non-negative integer")
    if size > MAX_BYTES:
        raise VtexError(413, "File exceeds the 500 MB size limit")


def new_bulk_secret() -> bytes:
    return uuid.uuid4().bytes
