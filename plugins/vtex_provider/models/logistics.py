"""Logistics API payloads (camelCase): docks, warehouses, inventory."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from vtex_provider.models.base import CamelModel


class Country(CamelModel):
    acronym: str = ""
    name: str = ""


class DockAddress(CamelModel):
    """Dock address. VTEX requires every key on the dock POST, as non-null strings.

    `coordinates` is `[[longitude, latitude]]` in the POST schema; VTEX's documented GET
    answers also show the flat `[longitude, latitude]`, which reads as one pair.
    """

    postal_code: str = ""
    country: Country = Field(default_factory=Country)
    city: str = ""
    state: str = ""
    neighborhood: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    coordinates: list[list[float]] = Field(default_factory=list)

    @field_validator(
        "complement", "postal_code", "city", "state", "neighborhood", "street", "number", mode="before"
    )
    @classmethod
    def _blank(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("coordinates", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
            return [value]
        return value


class Dock(CamelModel):
    """Body of `POST .../configuration/docks` (create or update by id) and its GET.

    VTEX requires `salesChannel`, `wmsEndPoint` (nullable) and a complete `address`: a dock
    the ERP gives no address gets empty strings (the flow keeps the address set in VTEX).
    """

    id: str
    name: str
    priority: int = 0
    dock_time_fake: str = "00:00:00"
    time_fake_overhead: str = "00:00:00"
    sales_channels: list[str] = Field(default_factory=lambda: ["1"])
    sales_channel: str | None = None
    freight_table_ids: list[str] = Field(default_factory=list)
    wms_end_point: str | None = None
    address: DockAddress = Field(default_factory=DockAddress)
    is_active: bool | None = None
    send_null = frozenset({"wms_end_point"})

    @field_validator("address", mode="before")
    @classmethod
    def _address(cls, value: object) -> object:
        return {} if value is None else value

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        body.setdefault("salesChannel", self.sales_channels[0] if self.sales_channels else "1")
        return body


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


class InventoryUpdate(CamelModel):
    """Body of the inventory PUT. Every field is sent: VTEX zeroes what is missing.

    `leadTime` is in VTEX's documented `dd.hh:mm:ss`; an `hh:mm:ss` value reads as 0 days.
    """

    quantity: int
    unlimited_quantity: bool = False
    lead_time: str = "0.00:00:00"

    @field_validator("lead_time")
    @classmethod
    def _days(cls, value: str) -> str:
        value = value.strip()
        return value if "." in value.split(":", 1)[0] else f"0.{value}"
    date_utc_on_balance_system: str | None = None


class InventoryQuantityUpdate(CamelModel):
    """Body of the quantity-only PATCH."""

    quantity: int
    unlimited_quantity: bool = False
    date_utc_on_balance_system: str | None = None


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
