"""Read VTEX's current state for one slice of the catalog and compare it with the ERP.

A slice is one of ``count`` disjoint parts of the store, chosen by a stable hash of the SKU
(or product) ref id, so ``count`` runs in a row check every record once. Only reads are made:
one GET per product, per SKU, per SKU price and per SKU's inventory.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from vtex_sync.drift.compare import (
    MISSING,
    OWNED,
    FieldDrift,
    compare_fields,
    compare_inventory,
    compare_price,
)
from vtex_sync.erp import validate_rows
from vtex_sync.flows import catalog as cat
from vtex_sync.flows import commerce as com
from vtex_sync.flows.engine import EntitySpec, payload_hash
from vtex_sync.flows.runner import Batch

log = logging.getLogger(__name__)


class Group(StrEnum):
    """What one reconcile task checks (and which pool it runs in)."""

    CATALOG = "catalog"
    PRICES = "prices"
    INVENTORY = "inventory"


ENTITIES: dict[Group, tuple[str, ...]] = {
    Group.CATALOG: ("product", "sku"),
    Group.PRICES: ("price",),
    Group.INVENTORY: ("inventory",),
}


@dataclass
class Drifted:
    """One record whose VTEX version differs from the ERP's."""

    key: str
    vtex_id: str
    fields: list[FieldDrift]
    erp_updated_at: datetime | None
    pushed_at: datetime | None
    erp_changed: bool  # the ERP's version differs from the last one VTEX accepted


@dataclass
class EntityCheck:
    """What a reconcile run found for one entity in its slice."""

    entity: str
    total: int = 0  # valid ERP records of the entity, whole store
    checked: int = 0  # records of the slice compared with VTEX
    not_in_vtex: int = 0  # not bound yet, or their parent is not: the syncs' business
    unreadable: int = 0  # VTEX read failed (reported, never counted as drift)
    drifted: list[Drifted] = field(default_factory=list)


def _valid(ctx: Any, table: str, keep: Callable[[Mapping[str, Any]], bool] | None = None) -> list[Any]:
    rows: list[dict[str, Any]] = []
    for chunk in ctx.erp.read(table):
        rows.extend(r for r in chunk if keep is None or keep(r))
    return validate_rows(table, rows).valid


def _resolve(ctx: Any, spec: EntitySpec, records: list[Any]) -> list[tuple[Any, dict[str, str] | None]]:
    """Each record with its parents' VTEX ids, or None when a parent is not in VTEX."""
    wanted: dict[str, set[str]] = {parent: set() for parent in spec.entity.parents.values()}
    for record in records:
        for parent, key in spec.parent_keys(record).items():
            wanted[parent].add(key)
    bound = {parent: ctx.state.bindings(ctx.account, parent, keys) for parent, keys in wanted.items()}
    result: list[tuple[Any, dict[str, str] | None]] = []
    for record in records:
        ids: dict[str, str] = {}
        for parent, key in spec.parent_keys(record).items():
            binding = bound[parent].get(key)
            if binding is None or not binding.vtex_id:
                break
            ids[parent] = str(binding.vtex_id)
        else:
            result.append((record, ids))
            continue
        result.append((record, None))
    return result


def _stamp(*rows: Any) -> datetime | None:
    stamps = [getattr(r, "updated_at", None) for r in rows]
    return max((s for s in stamps if s is not None), default=None)


@dataclass(frozen=True)
class _Target:
    """How one entity is read from both sides and compared."""

    spec: EntitySpec
    erp_body: Callable[[Any], dict[str, Any]]
    fetch: Callable[[Any, str], Any]  # (clients, vtex id) -> VTEX object or None
    compare: Callable[[dict[str, Any], Any], list[FieldDrift]]
    rows: Callable[[Any], list[Any]] = lambda record: [record]


def _catalog_compare(entity: str) -> Callable[[dict[str, Any], Any], list[FieldDrift]]:
    def compare(erp: dict[str, Any], vtex: Any) -> list[FieldDrift]:
        if vtex is None:
            return [FieldDrift("(record)", "present", MISSING)]
        return compare_fields(erp, vtex.to_body(), OWNED[entity])

    return compare


TARGETS: dict[str, _Target] = {
    "product": _Target(
        cat.PRODUCTS,
        lambda p: p.to_body(),
        lambda c, vid: c.catalog.get_product(int(vid)),
        _catalog_compare("product"),
    ),
    "sku": _Target(
        cat.SKUS,
        lambda p: p.to_body(),
        lambda c, vid: c.catalog.get_sku(int(vid)),
        _catalog_compare("sku"),
    ),
    "price": _Target(
        com.PRICES,
        lambda p: p.body.to_body(),
        lambda c, vid: c.pricing.get_price(vid),
        lambda erp, vtex: compare_price(
            erp, None if vtex is None else vtex.model_dump(mode="json", by_alias=True)
        ),
        rows=lambda record: [record.price, *record.fixed],
    ),
}


def _records(ctx: Any, entity: str, part: Batch) -> tuple[list[Any], int]:
    """The entity's valid ERP records in the slice, and how many the whole store has."""
    if entity == "product":
        rows = _valid(ctx, "products")
        return [r for r in rows if part.holds(r.ref_id)], len(rows)
    if entity == "sku":
        rows = _valid(ctx, "skus")
        return [r for r in rows if part.holds(r.ref_id)], len(rows)
    records = com.price_records(_valid(ctx, "prices"), _valid(ctx, "fixed_prices"))
    return [r for r in records if part.holds(r.sku_ref_id)], len(records)


def check_entity(ctx: Any, entity: str, part: Batch) -> EntityCheck:
    """Compare one entity's slice (products, SKUs or prices) with VTEX."""
    if entity == "inventory":
        return check_inventory(ctx, part)
    target = TARGETS[entity]
    records, total = _records(ctx, entity, part)
    check = EntityCheck(entity, total=total)
    keys = [target.spec.key(r) for r in records]
    own = ctx.state.bindings(ctx.account, target.spec.name, keys)
    todo = []
    for key, (record, ids) in zip(keys, _resolve(ctx, target.spec, records), strict=True):
        binding = own.get(key)
        if ids is None or binding is None or not binding.vtex_id:
            check.not_in_vtex += 1
            continue
        todo.append((key, record, ids, binding))
    results = ctx.executor.map(lambda item: target.fetch(ctx.clients, item[3].vtex_id), todo)
    for (key, record, ids, binding), result in zip(todo, results, strict=True):
        if not result.ok:
            check.unreadable += 1
            log.warning("reconcile %s %s: could not read VTEX's version: %s", entity, key, result.error)
            continue
        check.checked += 1
        payload = target.spec.build(record, ids)
        drift = target.compare(target.erp_body(payload), result.value)
        if drift:
            stamp = _stamp(*target.rows(record))
            changed = payload_hash(payload) != binding.payload_hash
            check.drifted.append(Drifted(key, str(binding.vtex_id), drift, stamp, binding.pushed_at, changed))
    return check


def check_inventory(ctx: Any, part: Batch) -> EntityCheck:
    """Stock per SKU and warehouse: one inventory read per SKU covers all its warehouses."""
    spec = com.INVENTORY
    rows = _valid(ctx, "stock")
    check = EntityCheck("inventory", total=len(rows))
    records = [r for r in rows if part.holds(r.sku_ref_id)]
    keys = [spec.key(r) for r in records]
    own = ctx.state.bindings(ctx.account, spec.name, keys)
    by_sku: dict[str, list[tuple[str, Any, dict[str, str], Any]]] = defaultdict(list)
    for key, (record, ids) in zip(keys, _resolve(ctx, spec, records), strict=True):
        binding = own.get(key)
        if ids is None or binding is None or not binding.vtex_id:
            check.not_in_vtex += 1
            continue
        by_sku[ids["sku"]].append((key, record, ids, binding))
    skus = sorted(by_sku)
    results = ctx.executor.map(lambda sku_id: ctx.clients.logistics.get_inventory(sku_id), skus)
    for sku_id, result in zip(skus, results, strict=True):
        if not result.ok:
            check.unreadable += len(by_sku[sku_id])
            log.warning(
                "reconcile inventory of SKU %s: could not read VTEX's balance: %s", sku_id, result.error
            )
            continue
        balances = {
            b.warehouse_id: b.model_dump(mode="json", by_alias=True)
            for b in (result.value.balance if result.value else [])
        }
        for key, record, ids, binding in by_sku[sku_id]:
            check.checked += 1
            payload = spec.build(record, ids)
            drift = compare_inventory(payload.body.to_body(), balances.get(ids["warehouse"]))
            if drift:
                changed = payload_hash(payload) != binding.payload_hash
                check.drifted.append(
                    Drifted(key, str(binding.vtex_id), drift, record.updated_at, binding.pushed_at, changed)
                )
    return check
