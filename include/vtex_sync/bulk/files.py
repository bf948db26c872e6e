"""Planned price and stock writes -> the CSV files of VTEX's batch APIs, with their manifests.

A manifest row ties each CSV row to the ERP record it came from, so the batch's error CSV
can name the ERP key of every failed row and every other record's hash can be recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vtex_provider.models.bulk import (
    BASE_PRICE_COLUMNS,
    FIXED_PRICE_COLUMNS,
    INVENTORY_COLUMNS,
    BasePriceRow,
    CsvRow,
    FixedPriceRow,
    InventoryRow,
    iso_duration,
    to_csv,
)
from vtex_sync.bulk.journal import ManifestRow


class BulkKind(StrEnum):
    """One VTEX batch file type."""

    BASE_PRICES = "base-prices"
    FIXED_PRICES = "fixed-prices"
    INVENTORY = "inventory"


COLUMNS = {
    BulkKind.BASE_PRICES: BASE_PRICE_COLUMNS,
    BulkKind.FIXED_PRICES: FIXED_PRICE_COLUMNS,
    BulkKind.INVENTORY: INVENTORY_COLUMNS,
}


@dataclass
class BatchFile:
    """The rows of one batch file and the manifest that names each row's ERP record."""

    kind: BulkKind
    rows: list[CsvRow] = field(default_factory=list)
    manifest: list[ManifestRow] = field(default_factory=list)

    def add(self, row: CsvRow, planned: Any, match: str, vtex_id: str) -> None:
        self.rows.append(row)
        self.manifest.append(ManifestRow(planned.key, planned.payload_hash, match, vtex_id, planned.action))

    def csv(self) -> bytes:
        return to_csv(self.rows, COLUMNS[self.kind])


def price_files(planned: list[Any]) -> tuple[list[BatchFile], list[Any]]:
    """Base and fixed price files for the planned price writes, and the writes that stay per item.

    The base-price CSV requires a cost price, so a SKU without one keeps its per-item PUT.
    """
    base, fixed = BatchFile(BulkKind.BASE_PRICES), BatchFile(BulkKind.FIXED_PRICES)
    per_item = []
    for item in planned:
        sku_id, body = item.payload.path[0], item.payload.body
        if body.cost_price is None or body.base_price is None:
            per_item.append(item)
            continue
        base_row = BasePriceRow(sku_id, body.cost_price, body.base_price, body.list_price)
        base.add(base_row, item, sku_id, sku_id)
        for price in body.fixed_prices:
            date_range = price.date_range
            row = FixedPriceRow(
                sku_id=sku_id,
                trade_policy=str(price.trade_policy_id),
                price=price.value,
                list_price=price.list_price,
                min_quantity=price.min_quantity,
                date_from=date_range.from_ if date_range else None,
                date_to=date_range.to if date_range else None,
            )
            fixed.add(row, item, sku_id, sku_id)
    return [f for f in (base, fixed) if f.rows], per_item


def inventory_file(planned: list[Any], account: str) -> BatchFile:
    """One batch inventory file: a row per SKU and warehouse."""
    stock = BatchFile(BulkKind.INVENTORY)
    for item in planned:
        (sku_id, warehouse_id), body = item.payload.path, item.payload.body
        row = InventoryRow(
            item_id=sku_id,
            account_name=account,
            container_id=warehouse_id,
            quantity=body.quantity,
            unlimited=body.unlimited_quantity,
            lead_time=iso_duration(body.lead_time),
        )
        stock.add(row, item, f"{sku_id}|{warehouse_id}", f"{sku_id}:{warehouse_id}")
    return stock


def error_match(kind: BulkKind | str, values: dict[str, str]) -> str:
    """The manifest `match` an error CSV row names."""
    if BulkKind(kind) is BulkKind.INVENTORY:
        return f"{values.get('item_id', '').strip()}|{values.get('container_id', '').strip()}"
    return values.get("SKU ID", "").strip()
