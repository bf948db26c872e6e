"""`SqlErp`: staging tables in any SQLAlchemy database (SQLite file by default, PostgreSQL)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, and_, func, inspect, literal, select, type_coerce, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement

from vtex_sync.db import insert_for, make_engine, redact, utcnow
from vtex_sync.erp.base import Row, SyncKey, normalise_key
from vtex_sync.erp.cells import Origin, SourcedRow, coerce
from vtex_sync.erp.errors import MissingColumnError
from vtex_sync.erp.schema import (
    ORDER_STATUSES,
    SYNC_STATUSES,
    SYNC_TABLES,
    create_erp_schema,
    invoice_items,
    invoices,
    key_columns,
    order_cancellations,
    order_changes,
    order_customers,
    required_columns,
    sales_order_lines,
    sales_orders,
    shipments,
    table,
    tracking_events,
)
from vtex_sync.erp.validation import row_key

log = logging.getLogger(__name__)


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


class SqlErp:
    """Reads staging tables in streamed chunks and writes orders exactly once per VTEX order."""

    def __init__(self, url: str, *, create_schema: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, immediate=False)
        self._present: dict[str, set[str]] = {}
        if create_schema:
            create_erp_schema(self.engine)

    def __repr__(self) -> str:
        return f"SqlErp({redact(self.url)!r})"

    # ------------------------------------------------------------------ reading
    def _columns(self, table_name: str) -> list[ColumnElement[Any]]:
        """What to select: the staging columns the database has, read raw on SQLite.

        SQLite stores any text in any column, so its cells are read untyped and converted by
        `cells.coerce` (a bad cell stays raw text for validation to quarantine, instead of
        failing the read or turning ``'maybe'`` into True). A missing nullable column reads as
        null; a missing required one raises `MissingColumnError` before anything is read.
        """
        tbl = table(table_name)
        if table_name not in self._present:
            self._present[table_name] = {c["name"] for c in inspect(self.engine).get_columns(table_name)}
        present = self._present[table_name]
        missing = [name for name in required_columns(table_name) if name not in present]
        if missing:
            raise MissingColumnError(f"ERP table {table_name}", missing)
        raw = self.engine.dialect.name == "sqlite"
        return [
            (type_coerce(col, String) if raw else col).label(col.name) if col.name in present
            else literal(None).label(col.name)
            for col in tbl.c
        ]

    def _row(self, table_name: str, values: Mapping[str, Any], number: int) -> SourcedRow:
        raw = dict(values)
        if self.engine.dialect.name == "sqlite":
            columns = table(table_name).c
            values = {name: _text(value) if isinstance(columns[name].type, String)
                      else coerce(value, columns[name].type) for name, value in raw.items()}
        return SourcedRow.of(dict(values), Origin(f"ERP table {table_name}", number, "row"), raw)

    def read(
        self,
        table_name: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        chunk_size: int = 1000,
        key_range: tuple[str | None, str | None] | None = None,
    ) -> Iterator[list[Row]]:
        """Yield lists of at most `chunk_size` rows, oldest `updated_at` first, streamed from the server.

        `key_range` ``(low, high)`` keeps ``low <= first key column < high`` (either end open),
        in the database: a batch reads only its slice.
        """
        tbl = table(table_name)
        stmt = select(*self._columns(table_name))
        if key_range is not None:
            first = tbl.c[key_columns(table_name)[0]]
            low, high = key_range
            if low is not None:
                stmt = stmt.where(first >= low)
            if high is not None:
                stmt = stmt.where(first < high)
        if since is not None or until is not None:
            if "updated_at" not in tbl.c:
                raise ValueError(f"{table_name} has no updated_at column to window on")
            if since is not None:
                stmt = stmt.where(tbl.c.updated_at >= since)
            if until is not None:
                stmt = stmt.where(tbl.c.updated_at < until)
        order = ([tbl.c.updated_at] if "updated_at" in tbl.c else []) + list(tbl.primary_key.columns)
        stmt = stmt.order_by(*order)
        number = 0
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=chunk_size).execute(stmt)
            for partition in result.mappings().partitions():
                chunk: list[Row] = []
                for row in partition:
                    number += 1
                    chunk.append(self._row(table_name, cast(Mapping[str, Any], row), number))
                yield chunk

    def key_bounds(self, table_name: str, parts: int) -> list[str]:
        """``parts - 1`` values of the first key column that cut the table into `parts` slices of
        about equal rows (the database's own order, so its range reads agree with them)."""
        if parts <= 1:
            return []
        first = table(table_name).c[key_columns(table_name)[0]]
        total = self.count(table_name)
        cuts: list[str] = []
        with self.engine.connect() as conn:
            for part in range(1, parts):
                stmt = select(first).order_by(first).offset(total * part // parts).limit(1)
                value = conn.execute(stmt).scalar()
                if value is not None and (not cuts or str(value) != cuts[-1]):
                    cuts.append(str(value))
        return cuts

    def read_keys(self, table_name: str, keys: Iterable[str], *, column: str | None = None,
                  chunk_size: int = 500) -> list[Row]:
        """Rows whose key (``row_key`` form, ``|`` between composite parts) is in `keys`, found
        through the first key column's index; with `column`, rows whose `column` value is in `keys`."""
        wanted = {str(k) for k in keys}
        tbl = table(table_name)
        by = column or key_columns(table_name)[0]
        values = sorted({k if column else k.split("|", 1)[0] for k in wanted})
        rows: list[Row] = []
        columns = self._columns(table_name)
        with self.engine.connect() as conn:
            for start in range(0, len(values), chunk_size):
                stmt = select(*columns).where(tbl.c[by].in_(values[start:start + chunk_size]))
                rows += [self._row(table_name, cast(Mapping[str, Any], row), 0)
                         for row in conn.execute(stmt).mappings()]
        return rows if column else [r for r in rows if row_key(table_name, r) in wanted]

    def keys(self, table_name: str) -> set[str]:
        """Every row's key (``row_key`` form), reading only the key columns."""
        tbl = table(table_name)
        columns = [tbl.c[name] for name in key_columns(table_name)]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*columns))
            return {"|".join("" if v is None else str(v).strip() for v in row) for row in rows}

    def count(self, table_name: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table(table_name))).scalar_one()

    # ------------------------------------------------------------------ generic writes (loaders, simulator)
    def upsert_rows(self, table_name: str, rows: Iterable[Mapping[str, Any]], *,
                    batch_size: int = 1000) -> int:
        """Insert rows, replacing any row with the same primary key. Returns the number of rows sent."""
        tbl = table(table_name)
        keys = key_columns(table_name)
        total = 0
        batch: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            for row in rows:
                batch.append({k: v for k, v in row.items() if k in tbl.c})
                if len(batch) >= batch_size:
                    total += self._upsert_batch(conn, tbl, keys, batch)
                    batch = []
            if batch:
                total += self._upsert_batch(conn, tbl, keys, batch)
        return total

    def _upsert_batch(self, conn: Connection, tbl: Any, keys: tuple[str, ...], batch: list[dict]) -> int:
        columns = set().union(*(row.keys() for row in batch))
        rows = [{col: row.get(col) for col in columns} for row in batch]
        stmt = insert_for(self.engine, tbl)
        updates = {col: stmt.excluded[col] for col in columns if col not in keys}
        stmt = (stmt.on_conflict_do_update(index_elements=list(keys), set_=updates) if updates
                else stmt.on_conflict_do_nothing(index_elements=list(keys)))
        conn.execute(stmt, rows)
        return len(rows)

    # ------------------------------------------------------------------ orders: VTEX -> ERP
    def upsert_sales_order(
        self,
        order_row: Mapping[str, Any],
        lines: list[Mapping[str, Any]],
        customer: Mapping[str, Any] | None,
    ) -> bool:
        """Create the ERP sales order for a VTEX order, once. Returns True if it was inserted now.

        A second call for the same `vtex_order_id` (a redelivered event, a sweep) changes nothing.
        """
        now = utcnow()
        order = {"status": "received", "received_at": now, "updated_at": now, **order_row}
        if isinstance(order.get("raw_order"), (dict, list)):
            order["raw_order"] = json.dumps(order["raw_order"], sort_keys=True, default=str)
        order_id = order["vtex_order_id"]
        with self.engine.begin() as conn:
            stmt = insert_for(self.engine, sales_orders).values(**order)
            stmt = stmt.on_conflict_do_nothing(index_elements=["vtex_order_id"])
            if conn.execute(stmt).rowcount != 1:
                return False
            if lines:
                conn.execute(sales_order_lines.insert(), [
                    {"line_no": n, **line, "vtex_order_id": order_id} for n, line in enumerate(lines, 1)
                ])
            if customer:
                conn.execute(order_customers.insert().values(**customer, vtex_order_id=order_id))
        return True

    def get_sales_order(self, vtex_order_id: str) -> Row | None:
        """The order row with its `lines` (list) and `customer` (dict or None), or None."""
        with self.engine.connect() as conn:
            order = conn.execute(
                select(sales_orders).where(sales_orders.c.vtex_order_id == vtex_order_id)
            ).mappings().first()
            if order is None:
                return None
            lines = conn.execute(
                select(sales_order_lines).where(sales_order_lines.c.vtex_order_id == vtex_order_id)
                .order_by(sales_order_lines.c.line_no)
            ).mappings().all()
            customer = conn.execute(
                select(order_customers).where(order_customers.c.vtex_order_id == vtex_order_id)
            ).mappings().first()
        return {**order, "lines": [dict(line) for line in lines],
                "customer": dict(customer) if customer else None}

    def set_order_status(
        self,
        vtex_order_id: str,
        status: str,
        *,
        vtex_status: str | None = None,
        erp_order_code: str | None = None,
    ) -> bool:
        """Set the ERP-side status (and optionally VTEX's status / the ERP code). False if no such order."""
        if status not in ORDER_STATUSES:
            raise ValueError(f"unknown order status {status!r}; expected one of {ORDER_STATUSES}")
        values: dict[str, Any] = {"status": status, "updated_at": utcnow()}
        if vtex_status is not None:
            values["vtex_status"] = vtex_status
        if erp_order_code is not None:
            values["erp_order_code"] = erp_order_code
        with self.engine.begin() as conn:
            result = conn.execute(
                update(sales_orders).where(sales_orders.c.vtex_order_id == vtex_order_id).values(**values)
            )
        return result.rowcount == 1

    def request_cancellation(self, vtex_order_id: str, reason: str | None = None) -> bool:
        """Record a shopper's cancellation request for the ERP to decide on. True if new."""
        now = utcnow()
        with self.engine.begin() as conn:
            stmt = insert_for(self.engine, order_cancellations).values(
                vtex_order_id=vtex_order_id, reason=reason, decided_by="shopper", decision=None,
                sync_status="pending", updated_at=now,
            ).on_conflict_do_nothing(index_elements=["vtex_order_id"])
            inserted = conn.execute(stmt).rowcount == 1
            if inserted:
                conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == vtex_order_id)
                             .values(status="cancel_requested", updated_at=now))
        return inserted

    # ------------------------------------------------------------------ orders: ERP -> VTEX
    def pending_invoices(self) -> list[Row]:
        """Invoices waiting to be sent to VTEX, oldest first, each with its `items`."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(invoices).where(invoices.c.sync_status == "pending")
                .order_by(invoices.c.issued_at, invoices.c.vtex_order_id, invoices.c.invoice_number)
            ).mappings().all()
            result = []
            for row in rows:
                items = conn.execute(select(invoice_items).where(and_(
                    invoice_items.c.vtex_order_id == row["vtex_order_id"],
                    invoice_items.c.invoice_number == row["invoice_number"],
                )).order_by(invoice_items.c.sku_ref_id)).mappings().all()
                result.append({**row, "items": [dict(item) for item in items]})
        return result

    def pending_shipments(self) -> list[Row]:
        """Shipments waiting to be sent whose invoice VTEX already has, each with its tracking `events`."""
        invoice_known = and_(
            invoices.c.vtex_order_id == shipments.c.vtex_order_id,
            invoices.c.invoice_number == shipments.c.invoice_number,
            invoices.c.sync_status.in_(("sent", "confirmed")),
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(shipments).join(invoices, invoice_known).where(shipments.c.sync_status == "pending")
                .order_by(shipments.c.updated_at, shipments.c.vtex_order_id)
            ).mappings().all()
            result = []
            for row in rows:
                events = conn.execute(select(tracking_events).where(and_(
                    tracking_events.c.vtex_order_id == row["vtex_order_id"],
                    tracking_events.c.invoice_number == row["invoice_number"],
                )).order_by(tracking_events.c.seq)).mappings().all()
                result.append({**row, "events": [dict(event) for event in events]})
        return result

    def pending_changes(self) -> list[Row]:
        """Order changes waiting to be sent, with `items` decoded from JSON."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(order_changes).where(order_changes.c.sync_status == "pending")
                .order_by(order_changes.c.updated_at, order_changes.c.change_code)
            ).mappings().all()
        return [{**row, "items": json.loads(row["items"])} for row in rows]

    def pending_cancellations(self) -> list[Row]:
        """Cancellations the ERP has decided (accept/deny) that VTEX has not been told about yet."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(order_cancellations).where(and_(
                    order_cancellations.c.sync_status == "pending",
                    order_cancellations.c.decision.isnot(None),
                )).order_by(order_cancellations.c.updated_at)
            ).mappings().all()
        return [dict(row) for row in rows]

    def mark_sync(self, table_name: str, key: SyncKey, status: str, message: str | None = None,
                  **extra: Any) -> bool:
        """Write the integration's outcome on an invoice/shipment/change/cancellation row.

        `key` is the row's primary key (scalar, tuple or mapping); `extra` sets other columns of
        that table (e.g. ``vtex_change_id``). Returns False when no row has that key.
        """
        if table_name not in SYNC_TABLES:
            raise ValueError(f"mark_sync works on {SYNC_TABLES}, not {table_name!r}")
        if status not in SYNC_STATUSES:
            raise ValueError(f"unknown sync status {status!r}; expected one of {SYNC_STATUSES}")
        tbl = table(table_name)
        unknown = set(extra) - set(tbl.c.keys())
        if unknown:
            raise ValueError(f"{table_name} has no column(s) {sorted(unknown)}")
        where = normalise_key(key_columns(table_name), key)
        stmt = update(tbl).where(and_(*(tbl.c[col] == value for col, value in where.items())))
        with self.engine.begin() as conn:
            result = conn.execute(stmt.values(sync_status=status, sync_message=message, **extra))
        return result.rowcount == 1
