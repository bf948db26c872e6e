"""A tiny local stand-in for VTEX's two batch APIs and their pre-signed storage (tests only).

It follows the documented flow (create -> upload to the returned URL -> [confirm] -> status
-> error CSV) and little else. Knobs: upload URL lifetime, SKU ids whose rows fail, batch
inventory refused, rows reported as skipped, polls before a batch finishes.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

ACCOUNT = "acme"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
APP_KEY = "vtexappkey-acme-TESTKEY"
APP_TOKEN = "TOPSECRET-token-9f8e7d6c5b4a"


@dataclass
class Batch:
    id: str
    api: str  # pricing | inventory
    kind: str
    status: str = "AWAITING_UPLOAD"
    expires_at: datetime = field(default_factory=lambda: datetime.now(UTC) + timedelta(minutes=10))
    body: bytes = b""
    polls: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0


class StubBatches:
    def __init__(self) -> None:
        self.batches: dict[str, Batch] = {}
        self.calls: list[tuple[str, str]] = []
        self.uploads: list[str] = []
        self.upload_ttl = timedelta(minutes=10)
        self.expire_next = 0  # this many next batches get an already-expired upload URL
        self.fail_skus: dict[str, tuple[str, str]] = {}  # sku id -> (code, message)
        self.refuse_inventory = False
        self.refuse_pricing = False
        self.skip_rows: set[str] = set()  # "sku|warehouse" rows VTEX skips (left unchanged)
        self.polls_to_finish = 1
        self.stock: dict[tuple[str, str], dict[str, Any]] = {}
        self.prices: dict[str, Any] = {}
        self.leaked_credentials = False
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StubBatches:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def count(self, method: str, prefix: str) -> int:
        return sum(1 for m, p in self.calls if m == method and p.startswith(prefix))

    # -- behaviour --------------------------------------------------------------------------

    def _new(self, api: str, kind: str) -> dict[str, Any]:
        batch = Batch(uuid.uuid4().hex, api, kind, expires_at=datetime.now(UTC) + self.upload_ttl)
        if self.expire_next:
            self.expire_next -= 1
            batch.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        self.batches[batch.id] = batch
        return {
            "batchId": batch.id,
            "status": "AWAITING_UPLOAD",
            "upload": {
                "method": "PUT",
                "url": f"{self.url}/_storage/{batch.id}.csv?X-Signature=abc",
                "headers": {"Content-Type": "text/csv"},
                "expiresAt": batch.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        }

    def _process(self, batch: Batch) -> None:
        rows = list(csv.DictReader(io.StringIO(batch.body.decode())))
        for line, row in enumerate(rows, start=2):
            sku = row.get("SKU ID") or row.get("item_id") or ""
            if sku in self.fail_skus:
                code, message = self.fail_skus[sku]
                if batch.api == "pricing":
                    batch.errors.append({**row, "Error Code": code, "Error Message": message})
                else:
                    batch.errors.append({"line_number": str(line), "item_id": sku,
                                         "container_id": row["container_id"], "error_code": code,
                                         "error_message": message})
                continue
            if batch.api == "inventory":
                if f"{sku}|{row['container_id']}" in self.skip_rows:
                    batch.skipped += 1
                    continue
                self.stock[(sku, row["container_id"])] = {
                    "quantity": int(row["quantity"]), "unlimited": row["unlimited"] == "true"}
            else:
                self.prices.setdefault(sku, {})[batch.kind] = row
        batch.status = "COMPLETED_WITH_ERRORS" if batch.errors else "COMPLETED"

    def _status(self, batch: Batch) -> dict[str, Any]:
        if batch.status not in ("AWAITING_UPLOAD", "COMPLETED", "COMPLETED_WITH_ERRORS"):
            batch.polls += 1
            if batch.polls >= self.polls_to_finish:
                self._process(batch)
        body: dict[str, Any] = {"batchId": batch.id, "status": batch.status, "errorCount": len(batch.errors)}
        if batch.api == "inventory":
            body |= {"rowCount": 0, "processedCount": 0, "amountCompleted": 100,
                     "createdAt": "2026-01-01T00:00:00Z",
                     "summary": {"insertCount": 0, "updateCount": 0, "noopCount": 0, "conflictCount": 0,
                                 "skippedDueApiUpdateCount": batch.skipped, "perItemRoutedCount": 0,
                                 "dlqEventsCount": 0}}
        return body

    def _errors_csv(self, batch: Batch) -> str:
        out = io.StringIO()
        if not batch.errors:
            return ""
        writer = csv.DictWriter(out, fieldnames=list(batch.errors[0]))
        writer.writeheader()
        writer.writerows(batch.errors)
        return out.getvalue()

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any, str]:
        if path.startswith("/_storage/"):
            if headers.get("X-VTEX-API-AppKey") or headers.get("X-VTEX-API-AppToken"):
                self.leaked_credentials = True
            name = path.rsplit("/", 1)[-1].removesuffix(".csv")
            if method == "PUT":
                batch = self.batches[name]
                if datetime.now(UTC) >= batch.expires_at:
                    expired = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
                    return 403, expired, "xml"
                batch.body = body
                self.uploads.append(name)
                if batch.api == "pricing":
                    batch.status = "RECEIVED"
                return 200, "", "text"
            return 200, self._errors_csv(self.batches[name.removeprefix("errors-")]), "csv"
        if headers.get("X-VTEX-API-AppToken") != APP_TOKEN:
            return 401, {"error": "unauthorized"}, "json"
        parts = path.strip("/").split("/")
        if path.startswith("/api/price-importer/pvt/import/") and method == "POST":
            if self.refuse_pricing:
                return 403, {"message": "missing Modify prices"}, "json"
            return 200, self._new("pricing", parts[-1]), "json"
        if path.startswith("/api/price-importer/pvt/batches/"):
            batch = self.batches.get(parts[4])
            if batch is None:
                return 404, {"message": "batch not found"}, "json"
            if parts[-1] == "errors":
                return 200, {"url": f"{self.url}/_storage/errors-{batch.id}.csv?sig=1"}, "json"
            return 200, self._status(batch), "json"
        inventory = f"/{ACCOUNT}/availability/v1/inventory/batch"
        if path == inventory and method == "POST":
            if self.refuse_inventory:
                return 403, {"message": "feature not enabled for the account"}, "json"
            return 201, self._new("inventory", "inventory"), "json"
        if path.startswith(inventory + "/"):
            batch = self.batches.get(parts[5])
            if batch is None:
                return 404, {"message": "batch not found"}, "json"
            if parts[-1] == "confirm":
                if batch.status != "AWAITING_UPLOAD" or not batch.body:
                    return 400, {"message": "invalid state"}, "json"
                batch.status = "QUEUED"
                return 202, "", "text"
            if parts[-1] == "errors":
                if not batch.errors:
                    return 204, "", "text"
                return 200, {"batchId": batch.id, "errorCount": len(batch.errors),
                             "downloadUrl": f"{self.url}/_storage/errors-{batch.id}.csv?sig=1"}, "json"
            return 200, self._status(batch), "json"
        if path.startswith("/api/logistics/pvt/inventory/skus/"):
            sku = parts[5]
            if method == "PUT":
                data = json.loads(body)
                self.stock[(sku, parts[7])] = {"quantity": data["quantity"],
                                               "unlimited": data.get("unlimitedQuantity", False)}
                return 200, "", "text"
            balance = [{"warehouseId": w, "totalQuantity": s["quantity"],
                        "hasUnlimitedQuantity": s["unlimited"]}
                       for (k, w), s in self.stock.items() if k == sku]
            return 200, {"skuId": sku, "balance": balance}, "json"
        if path.startswith(f"/{ACCOUNT}/pricing/prices/") and method == "PUT":
            self.prices[parts[3]] = json.loads(body)
            return 200, "", "text"
        return 404, {"message": f"no route {method} {path}"}, "json"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with stub._lock:
                    stub.calls.append((self.command, path))
                    status, payload, kind = stub.handle(self.command, path, self.headers, body)
                data = json.dumps(payload).encode() if kind == "json" else str(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if kind == "json" else "text/plain")
                self.send_header("Content-Length", str(len(data) if status != 204 else 0))
                self.end_headers()
                if status != 204:
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = _serve

        return Handler
