"""`FileErp`: a drop folder with one CSV or Parquet file per staging table (``categories.csv``...).

Inbound tables are read-only. Orders the integration writes go to JSON-lines files in an
``outbound/`` subfolder (one sales order per VTEX order); the ERP's answers about orders
(``invoices.csv``...) are read from the drop folder and the integration's outcomes are appended
to ``outbound/sync_log.jsonl``.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Integer, Numeric, String

from vtex_sync.db import UtcDateTime, to_utc, utcnow
from vtex_sync.erp.base import Row, SyncKey, normalise_key
from vtex_sync.erp.schema import ORDER_STATUSES, SYNC_STATUSES, SYNC_TABLES, key_columns, table
from vtex_sync.erp.validation import row_key

FileFormat = Literal["csv", "parquet"]
TRUE_WORDS = {"true", "t", "1", "yes", "y"}
FALSE_WORDS = {"false", "f", "0", "no", "n"}


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def coerce(value: Any, column_type: Any) -> Any:
    """Convert a value read from a file to the Python type of its staging column."""
    if _is_missing(value):
        return None
    if isinstance(column_type, Boolean):
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS | FALSE_WORDS:
                return word in TRUE_WORDS
            raise ValueError(f"not a boolean: {value!r}")
        return bool(value)
    if isinstance(column_type, Integer):
        return int(Decimal(str(value)))
    if isinstance(column_type, Numeric):
        return Decimal(str(value).strip())
    if isinstance(column_type, UtcDateTime):
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        elif isinstance(value, str):
            value = datetime.fromisoformat(value.strip())
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        return to_utc(value)
    return str(value)


def _coerce_row(table_name: str, record: Mapping[str, Any]) -> Row:
    """Typed row; an empty text key part (e.g. a text-only product specification) stays ``""``."""
    columns = table(table_name).c
    row = {name: coerce(value, columns[name].type) if name in columns else value
           for name, value in record.items()}
    for name in key_columns(table_name):
        if row.get(name) is None and isinstance(columns[name].type, String):
            row[name] = ""
    return row


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def write_drop(folder: str | Path, data: Mapping[str, Sequence[Mapping[str, Any]]],
               file_format: FileFormat = "csv") -> list[Path]:
    """Write tables into a drop folder as `FileErp` reads them (used by the demo and tests)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table_name, rows in data.items():
        columns = [col.name for col in table(table_name).c]
        frame = pd.DataFrame.from_records([{c: row.get(c) for c in columns} for row in rows], columns=columns)
        path = folder / f"{table_name}.{file_format}"
        if file_format == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
        written.append(path)
    return written


class FileErp:
    """Reads a drop folder of CSV or Parquet files; writes orders as JSON lines under ``outbound/``."""

    def __init__(self, folder: str | Path, format: FileFormat = "csv") -> None:  # noqa: A002
        if format not in ("csv", "parquet"):
            raise ValueError(f"format must be 'csv' or 'parquet', not {format!r}")
        self.folder = Path(folder)
        self.format = format
        self.outbound = self.folder / "outbound"

    def __repr__(self) -> str:
        return f"FileErp({str(self.folder)!r}, format={self.format!r})"

    # ------------------------------------------------------------------ reading
    def _path(self, table_name: str) -> Path:
        table(table_name)  # unknown table -> KeyError
        return self.folder / f"{table_name}.{self.format}"

    def _records(self, table_name: str, chunk_size: int) -> Iterator[list[Row]]:
        path = self._path(table_name)
        if not path.exists():
            return
        if self.format == "csv":
            with pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_size) as reader:
                for frame in reader:
                    yield [_coerce_row(table_name, rec) for rec in frame.to_dict("records")]
        else:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
                yield [_coerce_row(table_name, rec) for rec in batch.to_pylist()]

    def read(
        self,
        table_name: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        chunk_size: int = 1000,
    ) -> Iterator[list[Row]]:
        """Yield lists of at most `chunk_size` rows (file order) with ``since <= updated_at < until``."""
        since = to_utc(since) if since else None
        until = to_utc(until) if until else None
        pending: list[Row] = []
        for records in self._records(table_name, chunk_size):
            for row in records:
                stamp = row.get("updated_at")
                too_early = since is not None and (stamp is None or stamp < since)
                too_late = until is not None and (stamp is None or stamp >= until)
                if too_early or too_late:
                    continue
                pending.append(row)
                if len(pending) == chunk_size:
                    yield pending
                    pending = []
        if pending:
            yield pending

    def read_keys(self, table_name: str, keys: Iterable[str], *, column: str | None = None) -> list[Row]:
        """Rows whose key (``row_key`` form) is in `keys`; with `column`, whose `column` value is.
        A drop file has no index: this reads the file once."""
        wanted = {str(k) for k in keys}
        if not wanted:
            return []
        rows = (row for chunk in self.read(table_name) for row in chunk)
        if column:
            return [row for row in rows if str(row.get(column)) in wanted]
        return [row for row in rows if row_key(table_name, row) in wanted]

    def keys(self, table_name: str) -> set[str]:
        """Every row's key (``row_key`` form); a drop file has no index, so this reads it once."""
        return {row_key(table_name, row) for chunk in self.read(table_name) for row in chunk}

    def count(self, table_name: str) -> int:
        path = self._path(table_name)
        if not path.exists():
            return 0
        if self.format == "parquet":
            return pq.ParquetFile(path).metadata.num_rows
        return sum(len(chunk) for chunk in self._records(table_name, 10_000))

    # ------------------------------------------------------------------ orders: VTEX -> ERP
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.outbound.mkdir(parents=True, exist_ok=True)
        with open(self.outbound / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _lines(self, name: str) -> list[dict[str, Any]]:
        path = self.outbound / f"{name}.jsonl"
        if not path.exists():
            return []
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def _append(self, name: str, records: list[Mapping[str, Any]]) -> None:
        with open(self.outbound / f"{name}.jsonl", "a", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, sort_keys=True, default=_json_default) + "\n")

    def upsert_sales_order(self, order_row: Mapping[str, Any], lines: list[Mapping[str, Any]],
                           customer: Mapping[str, Any] | None) -> bool:
        """Append the order (with `lines` and `customer`) unless this VTEX order is already there."""
        now = utcnow()
        order = {"status": "received", "received_at": now, "updated_at": now, **order_row}
        order_id = order["vtex_order_id"]
        with self._locked():
            if any(rec["vtex_order_id"] == order_id for rec in self._lines("sales_orders")):
                return False
            self._append("sales_order_lines", [
                {"line_no": n, **line, "vtex_order_id": order_id} for n, line in enumerate(lines, 1)
            ])
            if customer:
                self._append("order_customers", [{**customer, "vtex_order_id": order_id}])
            self._append("sales_orders", [order])  # last: its presence marks the order complete
        return True

    def get_sales_order(self, vtex_order_id: str) -> Row | None:
        orders = [rec for rec in self._lines("sales_orders") if rec["vtex_order_id"] == vtex_order_id]
        if not orders:
            return None
        order = _coerce_row("sales_orders", orders[0])
        for change in self._lines("order_status"):
            if change["vtex_order_id"] == vtex_order_id:
                order.update(_coerce_row("sales_orders", change))
        lines = [_coerce_row("sales_order_lines", rec) for rec in self._lines("sales_order_lines")
                 if rec["vtex_order_id"] == vtex_order_id]
        customer = next((_coerce_row("order_customers", rec) for rec in self._lines("order_customers")
                         if rec["vtex_order_id"] == vtex_order_id), None)
        return {**order, "lines": sorted(lines, key=lambda line: line["line_no"]), "customer": customer}

    def set_order_status(self, vtex_order_id: str, status: str, *, vtex_status: str | None = None,
                         erp_order_code: str | None = None) -> bool:
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown order status {status!r}; expected one of {ORDER_STATUSES}")
        if self.get_sales_order(vtex_order_id) is None:
            return False
        change = {"vtex_order_id": vtex_order_id, "status": status, "updated_at": utcnow()}
        if vtex_status is not None:
            change["vtex_status"] = vtex_status
        if erp_order_code is not None:
            change["erp_order_code"] = erp_order_code
        with self._locked():
            self._append("order_status", [change])
        return True

    def request_cancellation(self, vtex_order_id: str, reason: str | None = None) -> bool:
        """Record a shopper's cancellation request in ``outbound/cancellation_requests.jsonl``
        for the ERP to decide on (its answer comes back in the `order_cancellations` drop file).
        True if new."""
        with self._locked():
            if any(r["vtex_order_id"] == vtex_order_id for r in self._lines("cancellation_requests")):
                return False
            now = utcnow()
            request = {"vtex_order_id": vtex_order_id, "reason": reason, "decided_by": "shopper"}
            self._append("cancellation_requests", [{**request, "requested_at": now}])
            self._append("order_status", [
                {"vtex_order_id": vtex_order_id, "status": "cancel_requested", "updated_at": now}
            ])
        return True

    # ------------------------------------------------------------------ orders: ERP -> VTEX
    def _pending(self, table_name: str) -> list[Row]:
        keys = key_columns(table_name)
        outcome = {tuple(rec["key"]): rec["status"] for rec in self._lines("sync_log")
                   if rec["table"] == table_name}
        rows = [row for chunk in self.read(table_name) for row in chunk]
        def status(row: Row) -> str:
            return str(outcome.get(tuple(str(row[k]) for k in keys), row.get("sync_status") or "pending"))

        return [row for row in rows if status(row) == "pending"]

    def _children(self, table_name: str, parent: Row, columns: tuple[str, ...]) -> list[Row]:
        return [row for chunk in self.read(table_name) for row in chunk
                if all(row[c] == parent[c] for c in columns)]

    def pending_invoices(self) -> list[Row]:
        keys = ("vtex_order_id", "invoice_number")
        return [{**inv, "items": self._children("invoice_items", inv, keys)}
                for inv in self._pending("invoices")]

    def pending_shipments(self) -> list[Row]:
        keys = ("vtex_order_id", "invoice_number")
        unsent = {tuple(inv[k] for k in keys) for inv in self._pending("invoices")}
        def events(ship: Row) -> list[Row]:
            return sorted(self._children("tracking_events", ship, keys), key=lambda event: event["seq"])

        return [{**ship, "events": events(ship)}
                for ship in self._pending("shipments") if tuple(ship[k] for k in keys) not in unsent]

    def pending_changes(self) -> list[Row]:
        return [{**row, "items": json.loads(row["items"])} for row in self._pending("order_changes")]

    def pending_cancellations(self) -> list[Row]:
        return [row for row in self._pending("order_cancellations") if row.get("decision")]

    def mark_sync(self, table_name: str, key: SyncKey, status: str, message: str | None = None,
                  **extra: Any) -> bool:
        """Append the outcome for one row to ``outbound/sync_log.jsonl``."""
        if table_name not in SYNC_TABLES:
            raise ValueError(f"mark_sync works on {SYNC_TABLES}, not {table_name!r}")
        if status not in SYNC_STATUSES:
            raise ValueError(f"unknown sync status {status!r}; expected one of {SYNC_STATUSES}")
        where = normalise_key(key_columns(table_name), key)
        record = {"table": table_name, "key": [str(v) for v in where.values()], "status": status,
                  "message": message, "extra": extra, "at": utcnow()}
        with self._locked():
            self._append("sync_log", [record])
        return True
