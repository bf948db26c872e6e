"""VTEX's bulk imports over HTTP: Bulk Pricing and batch inventory, end to end."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.sandbox import vtex_bodies as vb

IMPORT = "/api/price-importer/pvt/import"
BATCHES = "/api/price-importer/pvt/batches"
INVENTORY = "/availability/v1/inventory/batch"


def _upload(answer: dict[str, Any], text: str) -> httpx.Response:
    """PUT the CSV to the pre-signed URL, without VTEX credentials (as to S3)."""
    upload = answer["upload"]
    assert upload["method"] == "PUT" and upload["headers"] == {"Content-Type": "text/csv"}
    return httpx.put(upload["url"], content=text.encode(), headers=upload["headers"], timeout=10)


def _start_prices(client: httpx.Client, kind: str, text: str) -> str:
    body = {"contentType": "text/csv", "contentLengthBytes": len(text.encode())}
    answer = vb.ok(client.post(f"{IMPORT}/{kind}", json=body))
    assert answer["status"] == "AWAITING_UPLOAD" and answer["upload"]["expiresAt"].endswith("Z")
    assert _upload(answer, text).status_code == 200
    return answer["batchId"]


def _advance(client: httpx.Client, seconds: float) -> None:
    vb.ok(client.post("/_sandbox/orders/clock/advance", json={"seconds": seconds}))


def _csv(url: str) -> list[dict[str, str]]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.text)))


def test_base_price_import_applies_rows_and_reports_errors(strict: httpx.Client) -> None:
    sku = vb.catalog(strict)["sku"]
    header = "SKU ID,Cost Price,Base Price,List Price,Child Account"
    text = f"{header}\n{sku},45.50,59.99,65,\n999999,1,2,,\n{sku},x,1,,\n"
    batch = _start_prices(strict, "base-prices", text)
    _advance(strict, 1)
    status = vb.ok(strict.get(f"{BATCHES}/{batch}"))
    assert (status["type"], status["status"], status["errorCount"]) == ("base", "COMPLETED_WITH_ERRORS", 2)
    stages = [s["status"] for s in status["stages"]]
    assert stages == ["AWAITING_UPLOAD", "RECEIVED", "VALIDATING", "PROCESSING", "DOCUMENTING",
                      "COMPLETED_WITH_ERRORS"]  # fmt: skip
    assert status["bytesProcessed"] == status["bytesTotal"] == len(text.encode())
    price = vb.ok(strict.get(f"/pricing/prices/{sku}"))
    assert (price["costPrice"], price["basePrice"], price["listPrice"]) == (45.5, 59.99, 65)
    errors = _csv(vb.ok(strict.get(f"{BATCHES}/{batch}/errors"))["url"])
    assert [(e["SKU ID"], e["Error Code"]) for e in errors] == [
        ("999999", "SKU_NOT_FOUND"),
        (str(sku), "INVALID_VALUE"),
    ]
    assert all(e["Error Message"] for e in errors)


def test_fixed_price_import_upserts_fixed_prices(strict: httpx.Client) -> None:
    sku = vb.catalog(strict)["sku"]
    vb.ok(strict.put(f"/pricing/prices/{sku}", json={"basePrice": 10, "listPrice": 12}))
    text = (
        "SKU ID,Trade Policy,Price,List Price,Min Quantity,Date From,Date To,Child Account\n"
        f"{sku},gold,10.80,20.00,2,2025-07-29T18:20:37Z,2025-08-29T18:20:37Z,\n{sku},silver,11.80,,,,,\n"
    )
    batch = _start_prices(strict, "fixed-prices", text)
    _advance(strict, 1)
    assert vb.ok(strict.get(f"{BATCHES}/{batch}"))["status"] == "COMPLETED"
    fixed = {f["tradePolicyId"]: f for f in vb.ok(strict.get(f"/pricing/prices/{sku}/fixed"))}
    assert (fixed["gold"]["value"], fixed["gold"]["minQuantity"], fixed["silver"]["minQuantity"]) == (
        10.8,
        2,
        1,
    )


def test_processing_rate_and_wrong_header(strict: httpx.Client) -> None:
    sku = vb.catalog(strict)["sku"]
    vb.ok(strict.post("/_sandbox/faults", json={"bulk_rows_per_second": 1}))
    try:
        rows = "".join(f"{sku},{i},{i + 1},,\n" for i in range(1, 6))
        batch = _start_prices(
            strict, "base-prices", "SKU ID,Cost Price,Base Price,List Price,Child Account\n" + rows
        )
        first = vb.ok(strict.get(f"{BATCHES}/{batch}"))
        assert first["status"] == "PROCESSING" and 0 < first["bytesProcessed"] < first["bytesTotal"]
        _advance(strict, 2)
        assert vb.ok(strict.get(f"{BATCHES}/{batch}"))["status"] == "PROCESSING"
        _advance(strict, 5)
        assert vb.ok(strict.get(f"{BATCHES}/{batch}"))["status"] == "COMPLETED"
    finally:
        vb.ok(strict.post("/_sandbox/faults", json={"bulk_rows_per_second": 200}))
    wrong = _start_prices(strict, "base-prices", "sku,price\n1,2\n")
    assert vb.ok(strict.get(f"{BATCHES}/{wrong}"))["status"] == "FAILED"


def test_price_import_refusals_and_upload_expiry(strict: httpx.Client) -> None:
    big = {"contentType": "text/csv", "contentLengthBytes": 500 * 1024 * 1024 + 1}
    assert strict.post(f"{IMPORT}/base-prices", json=big).status_code == 413
    assert strict.post(f"{IMPORT}/other", json={**big, "contentLengthBytes": 1}).status_code == 400
    missing = strict.post(f"{IMPORT}/base-prices", json={"contentType": "text/csv"})
    assert missing.status_code == 400 and "contentLengthBytes" in missing.json()["error"]["message"]
    vb.ok(strict.post("/_sandbox/faults", json={"bulk_upload_expiry_s": 60}))
    try:
        answer = vb.ok(
            strict.post(f"{IMPORT}/base-prices", json={"contentType": "text/csv", "contentLengthBytes": 9})
        )
        _advance(strict, 61)
        assert _upload(answer, "SKU ID,Cost Price,Base Price,List Price,Child Account\n").status_code == 403
        tampered = answer["upload"]["url"].replace("X-Amz-Signature=", "X-Amz-Signature=0")
        assert httpx.put(tampered, content=b"x", headers={"Content-Type": "text/csv"}).status_code == 403
    finally:
        vb.ok(strict.post("/_sandbox/faults", json={"bulk_upload_expiry_s": 1800}))
    assert strict.get(f"{BATCHES}/00000000-0000-0000-0000-000000000000").status_code == 404


def test_batch_inventory_create_upload_confirm_poll_errors(strict: httpx.Client) -> None:
    sku = vb.catalog(strict)["sku"]
    vb.stock_place(strict, "WH01")
    created = strict.post(INVENTORY)
    assert created.status_code == 201 and created.json()["status"] == "AWAITING_UPLOAD"
    batch = created.json()["batchId"]
    assert strict.post(f"{INVENTORY}/{batch}/confirm").status_code == 400  # nothing uploaded yet
    text = ("item_id,account_name,container_id,quantity,unlimited,lead_time\n"
            f"{sku},strictshop,WH01,150,false,PT26H\n{sku},strictshop,NOPE,1,false,\n"
            f"{sku},strictshop,WH01,-50,false,\n{sku},strictshop,WH01,5,yes,\n")  # fmt: skip
    assert _upload(created.json(), text).status_code == 200
    assert vb.ok(strict.get(f"{INVENTORY}/{batch}/errors")) is None  # 204 until finished
    assert strict.post(f"/strictshop{INVENTORY}/{batch}/commit").status_code == 202  # the guide's name
    assert strict.post(f"{INVENTORY}/{batch}/confirm").status_code == 400  # already queued
    _advance(strict, 1)
    status = vb.ok(strict.get(f"{INVENTORY}/{batch}/status"))
    assert (status["status"], status["rowCount"], status["processedCount"], status["errorCount"]) == (
        "COMPLETED_WITH_ERRORS", 4, 4, 3,
    )  # fmt: skip
    assert (status["amountCompleted"], status["summary"]["insertCount"]) == (100, 1)
    balance = vb.ok(strict.get(f"/api/logistics/pvt/inventory/skus/{sku}"))["balance"][0]
    assert (balance["totalQuantity"], balance["leadTime"]) == (150, "1.02:00:00")
    report = vb.ok(strict.get(f"{INVENTORY}/{batch}/errors"))
    assert report["errorCount"] == 3
    errors = _csv(report["downloadUrl"])
    assert [(e["line_number"], e["error_code"]) for e in errors] == [
        ("3", "UNKNOWN"), ("4", "INVALID_QUANTITY"), ("5", "INVALID_FORMAT"),
    ]  # fmt: skip


def test_batch_inventory_expires_without_confirm(strict: httpx.Client) -> None:
    created = vb.ok(strict.post(INVENTORY))
    _advance(strict, 1801)
    status = vb.ok(strict.get(f"{INVENTORY}/{created['batchId']}/status"))
    assert status["status"] == "EXPIRED"
    assert strict.post(f"{INVENTORY}/{created['batchId']}/confirm").status_code == 400
    assert strict.get(f"{INVENTORY}/00000000-0000-0000-0000-000000000000/status").status_code == 404


def test_a_second_confirm_while_one_is_in_progress_is_locked(strict: httpx.Client) -> None:
    """Guide: confirming one batch twice in parallel, the second call answers 423 Locked; the batch
    is queued once, and a confirm after the first one finished is refused as already queued."""
    sku = vb.catalog(strict)["sku"]
    vb.stock_place(strict, "WH01")
    created = vb.ok(strict.post(INVENTORY))
    batch = created["batchId"]
    text = f"item_id,account_name,container_id,quantity,unlimited,lead_time\n{sku},strictshop,WH01,7,false,\n"
    assert _upload(created, text).status_code == 200

    def confirm(path: str) -> httpx.Response:
        with httpx.Client(base_url=strict.base_url, headers=strict.headers, timeout=30) as client:
            return client.post(path)

    vb.ok(strict.post("/_sandbox/faults", json={"bulk_confirm_seconds": 2}))
    try:
        paths = [f"{INVENTORY}/{batch}/confirm", f"/strictshop{INVENTORY}/{batch}/commit"]
        with ThreadPoolExecutor(2) as pool:  # the document's name and the guide's, at once
            answers = list(pool.map(confirm, paths))
    finally:
        vb.ok(strict.post("/_sandbox/faults", json={"bulk_confirm_seconds": 0}))
    assert sorted(a.status_code for a in answers) == [202, 423], [(a.status_code, a.text) for a in answers]
    locked = next(a for a in answers if a.status_code == 423)
    assert "commit in progress" in locked.text and batch in locked.text
    assert strict.post(f"{INVENTORY}/{batch}/confirm").status_code == 400  # the first one is done
    _advance(strict, 1)
    status = vb.ok(strict.get(f"{INVENTORY}/{batch}/status"))
    assert (status["status"], status["rowCount"], status["processedCount"]) == ("COMPLETED", 1, 1)
    balance = vb.ok(strict.get(f"/api/logistics/pvt/inventory/skus/{sku}"))["balance"][0]
    assert balance["totalQuantity"] == 7
