"""Bulk Pricing import and batch inventory payloads, and their CSV files.

Both APIs work the same way: create a batch (VTEX answers with a batch id and a pre-signed
upload URL), upload one CSV to that URL, (batch inventory only) confirm it, poll the batch
until its status is terminal, then read the error CSV. The CSV columns and their order are
VTEX's (guides `bulk-pricing-import.md` and `batch-inventory-updates.md`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from vtex_provider.models.base import CamelModel


class BatchApi(StrEnum):
    """Which VTEX batch API a batch belongs to."""

    BULK_PRICING = "bulk_pricing"
    BATCH_INVENTORY = "batch_inventory"


class PriceImportType(StrEnum):
    """The `importType` path parameter of the Bulk Pricing import."""

    BASE = "base-prices"
    FIXED = "fixed-prices"


class BatchState(StrEnum):
    """Every status either batch API documents (Bulk Pricing and batch inventory)."""

    AWAITING_UPLOAD = "AWAITING_UPLOAD"
    RECEIVED = "RECEIVED"
    VALIDATING = "VALIDATING"
    QUEUED = "QUEUED"
    PROCESSING = "PROCESSING"
    DOCUMENTING = "DOCUMENTING"
    COMPLETED = "COMPLETED"
    COMPLETED_WITH_ERRORS = "COMPLETED_WITH_ERRORS"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATES


TERMINAL_STATES = frozenset(
    {BatchState.COMPLETED, BatchState.COMPLETED_WITH_ERRORS, BatchState.FAILED, BatchState.EXPIRED}
)


def _state(value: Any) -> Any:
    """Batch inventory's mid stages (`INGESTING`, `CLASSIFYING`) are documented as PROCESSING."""
    if isinstance(value, str) and value not in BatchState.__members__:
        return BatchState.PROCESSING
    return value


State = Annotated[BatchState, BeforeValidator(_state)]


class UploadTarget(CamelModel):
    """Where and how to upload the CSV: a pre-signed storage URL, valid until `expires_at`."""

    method: str = "PUT"
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    expires_at: datetime | None = None

    def expired(self, now: datetime | None = None, margin: timedelta = timedelta(seconds=15)) -> bool:
        if self.expires_at is None:
            return False
        expires = self.expires_at if self.expires_at.tzinfo else self.expires_at.replace(tzinfo=UTC)
        return (now or datetime.now(UTC)) + margin >= expires


class BatchCreated(CamelModel):
    """Answer of the create call of either API."""

    batch_id: str
    status: State = BatchState.AWAITING_UPLOAD
    upload: UploadTarget


class BatchStatus(CamelModel):
    """The fields both status answers share."""

    batch_id: str
    status: State
    error_count: int = 0

    @property
    def terminal(self) -> bool:
        return self.status.terminal

    @property
    def progress(self) -> float | None:
        """The share of the batch VTEX has processed (0 to 1), where the answer says."""
        return None


class PriceBatchStatus(BatchStatus):
    """Answer of `GET /api/price-importer/pvt/batches/{batchId}`."""

    type: str | None = None
    bytes_processed: int | None = None
    bytes_total: int | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None

    @property
    def progress(self) -> float | None:
        if not self.bytes_total or self.bytes_processed is None:
            return None
        return min(1.0, self.bytes_processed / self.bytes_total)


class InventoryBatchSummary(CamelModel):
    insert_count: int = 0
    update_count: int = 0
    noop_count: int = 0
    conflict_count: int = 0
    skipped_due_api_update_count: int = 0
    per_item_routed_count: int = 0
    dlq_events_count: int = 0


class InventoryBatchStatus(BatchStatus):
    """Answer of `GET /availability/v1/inventory/batch/{batchId}/status`."""

    row_count: int = 0
    processed_count: int = 0
    amount_completed: int = 0
    created_at: datetime | None = None
    started_at: datetime | None = None
    summary: InventoryBatchSummary | None = None

    @property
    def progress(self) -> float | None:
        return min(1.0, self.processed_count / self.row_count) if self.row_count else None

    @property
    def skipped(self) -> int:
        """Rows VTEX skipped because the per-item API changed them recently."""
        return self.summary.skipped_due_api_update_count if self.summary else 0


class InventoryBatchErrors(CamelModel):
    """Answer of `GET /availability/v1/inventory/batch/{batchId}/errors` (200)."""

    batch_id: str | None = None
    download_url: str
    error_count: int = 0


# --- CSV files -------------------------------------------------------------------------------

BASE_PRICE_COLUMNS = ("SKU ID", "Cost Price", "Base Price", "List Price", "Child Account")
FIXED_PRICE_COLUMNS = (
    "SKU ID", "Trade Policy", "Price", "List Price", "Min Quantity", "Date From", "Date To", "Child Account",
)
INVENTORY_COLUMNS = ("item_id", "account_name", "container_id", "quantity", "unlimited", "lead_time")
PRICE_ERROR_COLUMNS = ("Error Code", "Error Message")


def _decimal(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def _stamp(value: datetime | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class BasePriceRow:
    sku_id: str
    cost_price: Decimal | float
    base_price: Decimal | float
    list_price: Decimal | float | None = None

    def cells(self) -> tuple[str, ...]:
        prices = (_decimal(self.cost_price), _decimal(self.base_price), _decimal(self.list_price))
        return (self.sku_id, *prices, "")


@dataclass(frozen=True)
class FixedPriceRow:
    sku_id: str
    trade_policy: str
    price: Decimal | float
    list_price: Decimal | float | None = None
    min_quantity: int | None = None
    date_from: datetime | str | None = None
    date_to: datetime | str | None = None

    def cells(self) -> tuple[str, ...]:
        quantity = "" if self.min_quantity is None else str(self.min_quantity)
        return (
            self.sku_id, self.trade_policy, _decimal(self.price), _decimal(self.list_price), quantity,
            _stamp(self.date_from), _stamp(self.date_to), "",
        )


@dataclass(frozen=True)
class InventoryRow:
    item_id: str
    account_name: str
    container_id: str
    quantity: int
    unlimited: bool = False
    lead_time: str = "PT0S"  # ISO 8601 duration

    def cells(self) -> tuple[str, ...]:
        unlimited = "true" if self.unlimited else "false"
        where = (self.item_id, self.account_name, self.container_id)
        return (*where, str(self.quantity), unlimited, self.lead_time)


CsvRow = BasePriceRow | FixedPriceRow | InventoryRow
COLUMNS: dict[type, tuple[str, ...]] = {
    BasePriceRow: BASE_PRICE_COLUMNS,
    FixedPriceRow: FIXED_PRICE_COLUMNS,
    InventoryRow: INVENTORY_COLUMNS,
}


def to_csv(rows: Iterable[CsvRow], columns: tuple[str, ...]) -> bytes:
    """UTF-8, comma-delimited, double-quoted where needed, header first (what both APIs ask for)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row.cells())
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class BatchErrorRow:
    """One row of a batch's error CSV: the columns VTEX sent back, its code and message."""

    line_number: int | None
    values: dict[str, str]
    code: str
    message: str

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def parse_price_errors(text: str) -> list[BatchErrorRow]:
    """Bulk Pricing's error CSV: the import's columns plus `Error Code` and `Error Message`."""
    rows = []
    for number, record in enumerate(csv.DictReader(io.StringIO(_strip_bom(text))), start=2):
        values = {k.strip(): v for k, v in record.items() if k is not None}
        code, message = (values.get("Error Code") or "").strip(), (values.get("Error Message") or "").strip()
        rows.append(BatchErrorRow(number, values, code, message))
    return rows


def parse_inventory_errors(text: str) -> list[BatchErrorRow]:
    """Batch inventory's error CSV: `line_number,item_id,container_id,error_code,error_message`."""
    rows = []
    for record in csv.DictReader(io.StringIO(_strip_bom(text))):
        values = {k.strip(): v for k, v in record.items() if k is not None}
        line = (values.get("line_number") or "").strip()
        rows.append(BatchErrorRow(
            int(line) if line.isdigit() else None,
            values,
            (values.get("error_code") or "").strip(),
            (values.get("error_message") or "").strip(),
        ))
    return rows


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


_LEAD_TIME = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$")


def iso_duration(lead_time: str) -> str:
    """VTEX's per-item lead time (`hh:mm:ss` or `d.hh:mm:ss`) as the ISO 8601 duration the CSV wants."""
    match = _LEAD_TIME.match(lead_time.strip())
    if not match:
        raise ValueError(f"lead time {lead_time!r} is not 'hh:mm:ss' or 'd.hh:mm:ss'")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    date = f"{days}D" if days else ""
    clock = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    if not date and not clock:
        return "PT0S"
    return f"P{date}" + (f"T{clock}" if clock else "")
