"""Prices, warehouses, docks, inventory and customers: ERP rows -> VTEX objects and writes.

All of these are idempotent writes keyed by the ERP (PUT price, PUT inventory, warehouse and
dock upserts by id), except Master Data documents, which are created once and patched after.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vtex_provider.models import logistics as vl
from vtex_provider.models import pricing as vp
from vtex_sync.entities import ENTITIES, Entity
from vtex_sync.flows.engine import EntitySpec


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


def _stamp(value: Any) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Keyed:
    """A VTEX body plus the ids its path needs; hashed as one object."""

    path: tuple[str, ...]
    body: Any

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"path": list(self.path), "body": self.body.model_dump(**kwargs)}


# --- prices ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceRecord:
    """A SKU's base price with every fixed price it has (a PUT replaces them all)."""

    sku_ref_id: str
    price: Any
    fixed: tuple[Any, ...]


def price_records(prices: list[Any], fixed_prices: list[Any]) -> list[PriceRecord]:
    by_sku: dict[str, list[Any]] = defaultdict(list)
    for row in fixed_prices:
        if row.active:
            by_sku[row.sku_ref_id].append(row)
    return [
        PriceRecord(p.sku_ref_id, p, tuple(sorted(by_sku[p.sku_ref_id], key=_fixed_order)))
        for p in prices
        if p.active
    ]


def _fixed_order(row: Any) -> tuple[int, int]:
    return int(row.trade_policy_id), row.min_quantity


def _fixed_price(row: Any) -> vp.FixedPrice:
    date_range = None
    if row.date_from and row.date_to:
        date_range = vp.DateRange.model_validate({"from": _stamp(row.date_from), "to": _stamp(row.date_to)})
    return vp.FixedPrice(
        trade_policy_id=row.trade_policy_id,
        value=float(row.value),
        list_price=_money(row.list_price),
        min_quantity=row.min_quantity,
        date_range=date_range,
    )


def _price(record: PriceRecord, ids: dict[str, str]) -> Keyed:
    p = record.price
    body = vp.PriceUpdate(
        base_price=float(p.base_price),
        list_price=_money(p.list_price),
        cost_price=_money(p.cost_price),
        fixed_prices=[_fixed_price(f) for f in record.fixed],
    )
    return Keyed((ids["sku"],), body)


def _put_price(c: Any, payload: Keyed) -> str:
    c.pricing.put_price(payload.path[0], payload.body)
    return payload.path[0]


PRICES = EntitySpec(
    ENTITIES["price"],
    build=_price,
    upsert=_put_price,
)


# --- docks and warehouses --------------------------------------------------------------------


def _dock(row: Any, ids: dict[str, str]) -> vl.Dock:
    channels = row.trade_policies.split(",")
    return vl.Dock(
        id=row.code, name=row.name, sales_channels=channels, sales_channel=channels[0], is_active=row.active
    )


def _upsert_dock(c: Any, dock: vl.Dock) -> str:
    c.logistics.upsert_dock(dock)
    return dock.id


DOCKS = EntitySpec(ENTITIES["dock"], build=_dock, upsert=_upsert_dock)


@dataclass(frozen=True)
class WarehouseRecord:
    warehouse: Any
    docks: tuple[Any, ...]

    @property
    def code(self) -> str:
        return self.warehouse.code


def warehouse_records(warehouses: list[Any], docks: list[Any]) -> list[WarehouseRecord]:
    by_warehouse: dict[str, list[Any]] = defaultdict(list)
    for dock in docks:
        if dock.active:
            by_warehouse[dock.warehouse_code].append(dock)
    return [WarehouseRecord(w, tuple(sorted(by_warehouse[w.code], key=lambda d: d.code))) for w in warehouses]


def _warehouse(record: WarehouseRecord, ids: dict[str, str]) -> vl.Warehouse:
    w = record.warehouse
    docks = [
        vl.WarehouseDock(
            dock_id=d.code,
            name=d.name,
            time=d.handling_time,
            cost=f"{d.cost:.2f}",
            translate_days="days",
            cost_to_display=f"{d.cost:.2f}".replace(".", ","),
        )
        for d in record.docks
    ]
    return vl.Warehouse(
        id=w.code, name=w.name, priority=w.priority, is_active=w.active, warehouse_docks=docks
    )


def _upsert_warehouse(c: Any, warehouse: vl.Warehouse) -> str:
    c.logistics.upsert_warehouse(warehouse)
    return warehouse.id


WAREHOUSES = EntitySpec(
    ENTITIES["warehouse"],
    build=_warehouse,
    upsert=_upsert_warehouse,
)


# --- inventory -------------------------------------------------------------------------------


def _inventory(row: Any, ids: dict[str, str]) -> Keyed:
    body = vl.InventoryUpdate(
        quantity=row.quantity if row.active else 0,
        unlimited_quantity=row.unlimited and row.active,
        lead_time=row.lead_time,
    )
    return Keyed((ids["sku"], ids["warehouse"]), body)


def _put_inventory(c: Any, payload: Keyed) -> str:
    sku_id, warehouse_id = payload.path
    c.logistics.put_inventory(sku_id, warehouse_id, payload.body)
    return f"{sku_id}:{warehouse_id}"


INVENTORY = EntitySpec(
    ENTITIES["inventory"],
    build=_inventory,
    upsert=_put_inventory,
)


# --- customers (Master Data CL and AD) -------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A Master Data document of one entity (``CL`` or ``AD``)."""

    entity: str
    fields: dict[str, Any]

    def __post_init__(self) -> None:
        # masterdata-v1.json types these fields as strings, not nullable: an unset one is left out
        object.__setattr__(self, "fields", {k: v for k, v in self.fields.items() if v is not None})

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"entity": self.entity, **self.fields}


def _customer(row: Any, ids: dict[str, str]) -> Document:
    return Document(
        "CL",
        {
            "email": row.email.lower(),
            "firstName": row.first_name,
            "lastName": row.last_name,
            "documentType": row.document_type,
            "document": row.document,
            "phone": row.phone,
            "isCorporate": row.is_corporate,
            "corporateName": row.corporate_name,
            "tradeName": row.trade_name,
            "corporateDocument": row.corporate_document,
            "isNewsletterOptIn": row.newsletter_opt_in,
        },
    )


def _address(row: Any, ids: dict[str, str]) -> Document:
    return Document(
        "AD",
        {
            "userId": ids["customer"],
            "addressName": row.address_name,
            "addressType": row.address_type,
            "receiverName": row.receiver_name,
            "street": row.street,
            "number": row.number,
            "complement": row.complement,
            "neighborhood": row.neighborhood,
            "city": row.city,
            "state": row.state,
            "country": row.country,
            "postalCode": row.postal_code,
        },
    )


def _create_document(c: Any, doc: Document) -> str:
    return c.masterdata.create_document(doc.entity, doc.fields).bare_id


def _patch_document(c: Any, vtex_id: str, doc: Document) -> None:
    c.masterdata.patch_document(doc.entity, vtex_id, doc.fields)


def _find_document(c: Any, doc: Document) -> str | None:
    """A profile by its email, an address by its owner and name (no duplicates on re-runs)."""
    if doc.entity == "CL":
        filters = {"email": doc.fields["email"]}
    else:
        filters = {"userId": doc.fields["userId"], "addressName": doc.fields["addressName"]}
    found = next(iter(c.masterdata.search(doc.entity, filters=filters, fields=("id",))), None)
    return None if found is None else str(found["id"])


def _documents(entity: Entity, build: Callable[[Any, dict[str, str]], Document]) -> EntitySpec:
    """A Master Data entity: created once (looked up first, so a re-run never duplicates), then patched."""
    return EntitySpec(
        entity, build=build, create=_create_document, update=_patch_document, lookup=_find_document,
        lookup_first=True,
    )


CUSTOMERS = _documents(ENTITIES["customer"], _customer)
CUSTOMER_ADDRESSES = _documents(ENTITIES["customer_address"], _address)
