"""Logistics API payloads (camelCase): docks, warehouses, inventory."""

from __future__ import annotations

from pydantic import Field

from vtex_provider.models.base import CamelModel


class Country(CamelModel):
    acronym: str
    name: str


class DockAddress(CamelModel):
    postal_code: str
    country: Country
    city: str
    state: str
    neighborhood: str = ""
    street: str = ""
    number: str = ""
    complement: str | None = None
    coordinates: list[list[float]] | None = None


class Dock(CamelModel):
    """Body of `POST .../configuration/docks` (create or update by id) and its GET."""

    id: str
    name: str
    priority: int = 0
    dock_time_fake: str = "00:00:00"
    time_fake_overhead: str = "00:00:00"
    sales_channels: list[str] = Field(default_factory=lambda: ["1"])
    sales_channel: str | None = None
    freight_table_ids: list[str] = Field(default_factory=list)
    wms_end_point: str | None = None
    address: DockAddress | None = None
    is_active: bool | None = None
    omit_when_none = frozenset({"is_active"})


class WarehouseDock(CamelModel):
    """A dock linked to a warehouse. The GET returns `cost` as a number."""

    dock_id: str
    name: str = ""
    time: str = "00:00:00"
    cost: str | float = "0.00"
    translate_days: str | None = "days"
    cost_to_display: str | None = "0,00"


class Warehouse(CamelModel):
    """Body of `POST .../configuration/warehouses` (upsert by id) and its GET."""

    id: str
    name: str
    warehouse_docks: list[WarehouseDock]
    priority: int = 0
    is_active: bool = True
    pickup_point_ids: list[str] | None = None
    omit_when_none = frozenset({"pickup_point_ids"})


class InventoryUpdate(CamelModel):
    """Body of the inventory PUT. Every field is sent: VTEX zeroes what is missing."""

    quantity: int
    unlimited_quantity: bool = False
    lead_time: str = "00:00:00"
    date_utc_on_balance_system: str | None = None
    omit_when_none = frozenset({"date_utc_on_balance_system"})


class InventoryQuantityUpdate(CamelModel):
    """Body of the quantity-only PATCH."""

    quantity: int
    unlimited_quantity: bool = False
    date_utc_on_balance_system: str | None = None
    omit_when_none = frozenset({"date_utc_on_balance_system"})


class WarehouseBalance(CamelModel):
    warehouse_id: str
    warehouse_name: str | None = None
    total_quantity: int = 0
    reserved_quantity: int = 0
    has_unlimited_quantity: bool = False
    lead_time: str | None = None


class InventoryBalance(CamelModel):
    """Response of `GET /api/logistics/pvt/inventory/skus/{skuId}`."""

    sku_id: str
    balance: list[WarehouseBalance] = Field(default_factory=list)
