"""`FileErp`: a drop folder with one CSV or Parquet file per staging table (``categories.csv``...).

Inbound tables are read-only, with an explicit `encoding` and `delimiter` (connection extra).
Orders the integration writes go to ``outbound/sales_orders.jsonl``: one JSON line per VTEX
order holding its lines and customer, written in one append and fsynced, so a crash leaves
either the whole order or a torn last line, never half an order. A torn last line is skipped
on read and cut off before the next write. Status changes, cancellation requests and the
integration's outcomes (``sync_log.jsonl``) are single-line records beside it; the ERP's
answers about orders (``invoices.csv``...) are read from the drop folder.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Boolean, Integer, Numeric

from vtex_sync.db import UtcDateTime, to_utc, utcnow
from vtex_sync.erp import csv_blocks
from vtex_sync.erp.base import Row, SyncKey, normalise_key
from vtex_sync.erp.cells import origin_of
from vtex_sync.erp.file_reader import CsvTable, ParquetTable, _typed, check_options, problem_of
from vtex_sync.erp.schema import ORDER_STATUSES, SYNC_STATUSES, SYNC_TABLES, key_columns, table
from vtex_sync.erp.validation import row_key

FileFormat = Literal["csv", "parquet"]
log = logging.getLogger(__name__)
_coerce_row = _typed


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
    """Reads a drop folder of CSV or Parquet files; writes orders as JSON lines under ``outbound/``.

    `encoding` (default ``utf-8``; a BOM is ignored) and `delimiter` (default ``,``) apply to
    CSV files; a file whose header does not split on the delimiter is an error naming it.
    """

    def __init__(self, folder: str | Path, format: FileFormat = "csv", *,  # noqa: A002
                 encoding: str = "utf-8", delimiter: str = ",") -> None:
        if format not in ("csv", "parquet"):
            raise ValueError(f"format must be 'csv' or 'parquet', not {format!r}")
        check_options(encoding, delimiter)
        self.folder = Path(folder)
        self.format = format
        self.encoding = encoding
        self.delimiter = delimiter
        self.outbound = self.folder / "outbound"

    def __repr__(self) -> str:
        return f"FileErp({str(self.folder)!r}, format={self.format!r})"

    # ------------------------------------------------------------------ reading
    def _path(self, table_name: str) -> Path:
        table(table_name)  # unknown table -> KeyError
        return self.folder / f"{table_name}.{self.format}"

    def _source(self, table_name: str) -> CsvTable | ParquetTable | None:
        path = self._path(table_name)
        if not path.exists():
            return None
        if self.format == "csv":
            return CsvTable(path, table_name, encoding=self.encoding, delimiter=self.delimiter)
        return ParquetTable(path, table_name)

    def _rows(self, table_name: str) -> Iterator[Row]:
        source = self._source(table_name)
        return iter(()) if source is None else source.rows()

    def read(
        self,
        table_name: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        chunk_size: int = 1000,
        key_range: tuple[str | None, str | None] | None = None,
    ) -> Iterator[list[Row]]:
        """Yield lists of at most `chunk_size` rows (file order) with ``since <= updated_at < until``.

        Rows keep their `origin` (file, line); a row whose ``updated_at`` is unreadable or whose
        cells could not be split is always included, so validation quarantines it. `key_range`
        ``(low, high)`` keeps ``low <= first key column < high``; a Parquet file skips the row
        groups whose statistics lie outside it, a CSV file the blocks of rows whose keys do
        (`csv_blocks`: a file sorted by its key is read about once whatever the batch count).
        """
        since = to_utc(since) if since else None
        until = to_utc(until) if until else None
        pending: list[Row] = []
        column = key_columns(table_name)[0]
        low, high = key_range or (None, None)
        for row in self._ranged_rows(table_name, column, key_range):
            if key_range is not None:
                value = "" if row.get(column) is None else str(row.get(column)).strip()
                if (low is not None and value < low) or (high is not None and value >= high):
                    continue
            stamp = row.get("updated_at")
            if isinstance(stamp, datetime) and problem_of(row) is None:
                if (since is not None and stamp < since) or (until is not None and stamp >= until):
                    continue
            pending.append(row)
            if len(pending) == chunk_size:
                yield pending
                pending = []
        if pending:
            yield pending

    def _ranged_rows(self, table_name: str, column: str,
                     key_range: tuple[str | None, str | None] | None) -> Iterator[Row]:
        source = self._source(table_name)
        if source is None:
            return iter(())
        if key_range is not None and isinstance(source, ParquetTable):
            return source.rows(row_groups=source.row_groups(column, *key_range))
        if key_range is not None and isinstance(source, CsvTable):
            cut = self._blocks(table_name, column)
            if cut is not None:
                return source.rows(blocks=[block for block in cut if block.overlaps(*key_range)])
        return source.rows()

    def _blocks(self, table_name: str, column: str) -> list[csv_blocks.Block] | None:
        return csv_blocks.blocks(self._path(table_name), table_name, column, encoding=self.encoding,
                                 delimiter=self.delimiter)

    def key_bounds(self, table_name: str, parts: int) -> list[str]:
        """``parts - 1`` first-key values that cut the table into `parts` slices of about equal rows."""
        if parts <= 1:
            return []
        column = key_columns(table_name)[0]
        if self.format == "csv" and self._path(table_name).exists():
            self._blocks(table_name, column)  # cut once here, for the batches that read the slices
        values = sorted("" if r.get(column) is None else str(r.get(column)).strip()
                        for r in self._rows(table_name))
        cuts: list[str] = []
        for part in range(1, parts):
            value = values[min(len(values) - 1, len(values) * part // parts)] if values else None
            if value is not None and value not in cuts[-1:]:
                cuts.append(value)
        return cuts

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
        return {row_key(table_name, row) for row in self._rows(table_name)}

    def count(self, table_name: str) -> int:
        source = self._source(table_name)
        if source is None:
            return 0
        if isinstance(source, ParquetTable):
            return source.num_rows()
        return sum(1 for _ in source.rows())

    def _answers(self, table_name: str) -> list[Row]:
        """The ERP's rows of an order-answer table; unreadable rows are logged and left out."""
        columns = table(table_name).c
        strict = (Boolean, Integer, Numeric, UtcDateTime)
        good = []
        for row in self._rows(table_name):
            problem = problem_of(row)
            bad = problem.field if problem else next(
                (name for name, value in row.items() if name in columns and isinstance(value, str)
                 and isinstance(columns[name].type, strict)), None)
            if bad is None:
                good.append(row)
            else:
                log.warning("%s: column %s = %r cannot be read; row skipped until the ERP fixes it",
                            origin_of(row), bad, row.get(bad))
        return good

    # ------------------------------------------------------------------ outbound files
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
        """The records of ``outbound/<name>.jsonl``; a torn or garbled line is skipped (logged)."""
        path = self.outbound / f"{name}.jsonl"
        if not path.exists():
            return []
        records = []
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    torn = not line.endswith("\n")
                    log.warning("%s line %d: %s JSON line skipped", path.name, number,
                                "torn (interrupted write)" if torn else "unreadable")
        return records

    def _append(self, name: str, records: list[Mapping[str, Any]]) -> None:
        """Append records as one write, fsynced; call under `_locked` (a torn tail is cut first)."""
        path = self.outbound / f"{name}.jsonl"
        data = "".join(json.dumps(r, sort_keys=True, default=_json_default) + "\n" for r in records)
        with open(path, "ab+") as handle:
            _cut_torn_tail(handle, path)
            handle.write(data.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    # ------------------------------------------------------------------ orders: VTEX -> ERP
    def _orders(self) -> dict[str, dict[str, Any]]:
        orders: dict[str, dict[str, Any]] = {}
        for rec in self._lines("sales_orders"):
            orders.setdefault(rec["vtex_order_id"], rec)  # the first complete copy is the order
        return orders

    def upsert_sales_order(self, order_row: Mapping[str, Any], lines: list[Mapping[str, Any]],
                           customer: Mapping[str, Any] | None) -> bool:
        """Write the order with its `lines` and `customer` as one record, unless it is there."""
        now = utcnow()
        order = {"status": "received", "received_at": now, "updated_at": now, **order_row}
        order_id = order["vtex_order_id"]
        order["lines"] = [{"line_no": n, **line, "vtex_order_id": order_id}
                          for n, line in enumerate(lines, 1)]
        order["customer"] = {**customer, "vtex_order_id": order_id} if customer else None
        with self._locked():
            if order_id in self._orders():
                return False
            self._append("sales_orders", [order])
        return True

    def get_sales_order(self, vtex_order_id: str) -> Row | None:
        record = self._orders().get(vtex_order_id)
        if record is None:
            return None
        lines, customer = record.get("lines") or [], record.get("customer")
        order = _coerce_row("sales_orders",
                            {k: v for k, v in record.items() if k not in ("lines", "customer")})
        for change in self._lines("order_status"):
            if change["vtex_order_id"] == vtex_order_id:
                order.update(_coerce_row("sales_orders", change))
        typed_lines = [_coerce_row("sales_order_lines", line) for line in lines]
        return {**order, "lines": sorted(typed_lines, key=lambda line: line["line_no"]),
                "customer": _coerce_row("order_customers", customer) if customer else None}

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
        True if new. The status line goes first, the request (which marks it done) last."""
        with self._locked():
            if any(r["vtex_order_id"] == vtex_order_id for r in self._lines("cancellation_requests")):
                return False
            now = utcnow()
            self._append("order_status", [
                {"vtex_order_id": vtex_order_id, "status": "cancel_requested", "updated_at": now}
            ])
            request = {"vtex_order_id": vtex_order_id, "reason": reason, "decided_by": "shopper"}
            self._append("cancellation_requests", [{**request, "requested_at": now}])
        return True

    # ------------------------------------------------------------------ orders: ERP -> VTEX
    def _pending(self, table_name: str) -> list[Row]:
        keys = key_columns(table_name)
        outcome = {tuple(rec["key"]): rec["status"] for rec in self._lines("sync_log")
                   if rec["table"] == table_name}
        rows = self._answers(table_name)

        def status(row: Row) -> str:
            return str(outcome.get(tuple(str(row[k]) for k in keys), row.get("sync_status") or "pending"))

        return [row for row in rows if status(row) == "pending"]

    def _children(self, table_name: str, parent: Row, columns: tuple[str, ...]) -> list[Row]:
        return [row for row in self._answers(table_name) if all(row[c] == parent[c] for c in columns)]

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
        changes = []
        for row in self._pending("order_changes"):
            try:
                changes.append({**row, "items": json.loads(row["items"])})
            except (TypeError, json.JSONDecodeError):
                log.warning("%s: column items = %r is not JSON; change skipped until the ERP fixes it",
                            origin_of(row), row.get("items"))
        return changes

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


def _cut_torn_tail(handle: Any, path: Path) -> None:
    """Drop a last line without its newline (a write cut short by a crash) before appending."""
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        return
    handle.seek(size - 1)
    if handle.read(1) == b"\n":
        return
    cut, end = 0, size
    while end > 0:  # the last newline, scanning back block by block
        start = max(0, end - (1 << 16))
        handle.seek(start)
        block = handle.read(end - start)
        if b"\n" in block:
            cut = start + block.rfind(b"\n") + 1
            break
        end = start
    log.warning("%s: cut a torn last line (%d bytes) left by an interrupted write", path.name, size - cut)
    handle.truncate(cut)
    handle.seek(cut)
