"""What the flows may ask of an ERP adapter: read staging tables, write and follow orders."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

Row = dict[str, Any]
SyncKey = str | tuple[Any, ...] | Mapping[str, Any]


@runtime_checkable
class ErpReader(Protocol):
    """Streams rows of one staging table; the window selects ``since <= updated_at < until``."""

    def read(
        self,
        table: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        chunk_size: int = 1000,
        key_range: tuple[str | None, str | None] | None = None,
    ) -> Iterator[list[Row]]: ...

    def read_keys(self, table: str, keys: Iterable[str], *, column: str | None = None) -> list[Row]: ...

    def count(self, table: str) -> int: ...

    def keys(self, table: str) -> set[str]: ...


@runtime_checkable
class ErpOrders(Protocol):
    """Order write API: one sales order per VTEX order, and the ERP's answers about orders."""

    def upsert_sales_order(self, order_row: Mapping[str, Any], lines: list[Mapping[str, Any]],
                           customer: Mapping[str, Any] | None) -> bool: ...

    def get_sales_order(self, vtex_order_id: str) -> Row | None: ...

    def set_order_status(self, vtex_order_id: str, status: str, *,
                         vtex_status: str | None = None) -> bool: ...

    def pending_invoices(self) -> list[Row]: ...

    def pending_shipments(self) -> list[Row]: ...

    def pending_changes(self) -> list[Row]: ...

    def pending_cancellations(self) -> list[Row]: ...

    def mark_sync(self, table_name: str, key: SyncKey, status: str, message: str | None = None,
                  **extra: Any) -> bool: ...

    def request_cancellation(self, vtex_order_id: str, reason: str | None = None) -> bool: ...


@runtime_checkable
class Erp(ErpReader, ErpOrders, Protocol):
    """A whole ERP adapter: the staging tables in, the orders out (`SqlErp`, `FileErp`)."""


def normalise_key(key_names: tuple[str, ...], key: SyncKey) -> dict[str, Any]:
    """Turn a scalar, tuple or mapping key into ``{column: value}`` for the given key columns."""
    if isinstance(key, Mapping):
        return {name: key[name] for name in key_names}
    values = key if isinstance(key, tuple) else (key,)
    if len(values) != len(key_names):
        raise ValueError(f"key {key!r} does not match key columns {key_names}")
    return dict(zip(key_names, values, strict=True))
