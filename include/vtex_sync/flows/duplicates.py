"""Find records VTEX holds twice (made before create leases existed, or by someone else) and,
when asked, retire the extra copies.

The copy the id map is bound to is the record; another object with the same natural key in the
same parent, bound to no ERP key, is an extra copy: an SKU image with the same URL or name on
the same SKU (removed: VTEX deletes images), a specification value with the same name in the
same field (deactivated: VTEX has no delete for values).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class Retirement(StrEnum):
    """What happened to an extra copy."""

    REPORTED = "reported"
    REMOVED = "removed"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class Duplicate:
    entity: str
    erp_key: str
    kept: str  # the VTEX id the id map is bound to
    extra: str  # the VTEX id of the other copy
    parent: str  # the VTEX id of the parent (SKU, field) both live in
    action: Retirement = Retirement.REPORTED


def _bound_ids(ctx: Any, entity: str) -> dict[str, str]:
    """VTEX id -> ERP key of every bound record of `entity`."""
    return {b.vtex_id: key for key, b in ctx.state.bindings(ctx.account, entity).items() if b.vtex_id}


def image_duplicates(ctx: Any) -> list[Duplicate]:
    """Images are bound as ``<sku id>:<position>`` and found by URL (then name) on every write:
    the first file of a SKU with a URL or name is the one kept, any later one is an extra copy."""
    bound: dict[str, dict[str, str]] = defaultdict(dict)  # sku id -> position -> ERP key
    for key, binding in ctx.state.bindings(ctx.account, "sku_image").items():
        sku_id, _, position = (binding.vtex_id or "").partition(":")
        if sku_id:
            bound[sku_id][position] = key
    found: list[Duplicate] = []
    catalog = ctx.clients.catalog
    listed = ctx.executor.map(lambda sku_id: catalog.list_sku_files(int(sku_id)), list(bound))
    for sku_id, result in zip(bound, listed, strict=True):
        if result.error is not None:
            log.warning("sku %s: could not list its images: %s", sku_id, result.error)
            continue
        kept_by: dict[tuple[str, str], Any] = {}
        for file in result.value:
            marks = [("url", file.url), ("name", file.name)]
            kept = next((kept_by[(k, v)] for k, v in marks if v and (k, v) in kept_by), None)
            if kept is None:
                kept_by.update({(k, v): file for k, v in marks if v})
                continue
            key = bound[sku_id].get(str(kept.position)) or next(iter(bound[sku_id].values()))
            found.append(Duplicate("sku_image", key, str(kept.id), str(file.id), sku_id))
    return found


def value_duplicates(ctx: Any) -> list[Duplicate]:
    values = _bound_ids(ctx, "specification_value")
    fields = {key: b.vtex_id for key, b in ctx.state.bindings(ctx.account, "specification_field").items()
              if b.vtex_id}
    field_of = {str(r["code"]).strip(): str(r["field_code"]).strip()
                for chunk in ctx.erp.read("specification_values") for r in chunk}
    by_field: dict[str, list[str]] = defaultdict(list)
    for value_id, key in values.items():
        field_id = fields.get(field_of.get(key, ""))
        if field_id:
            by_field[field_id].append(value_id)
    found: list[Duplicate] = []
    listed = ctx.executor.map(
        lambda field_id: ctx.clients.catalog.list_specification_values(int(field_id)), list(by_field))
    for field_id, result in zip(by_field, listed, strict=True):
        if result.error is not None:
            log.warning("field %s: could not list its values: %s", field_id, result.error)
            continue
        entries = {str(v.field_value_id): v for v in result.value}
        for kept in by_field[field_id]:
            mine = entries.get(kept)
            if mine is None:
                continue
            for value_id, other in entries.items():
                twin = other.value == mine.value and other.is_active
                if value_id != kept and value_id not in values and twin:
                    found.append(Duplicate("specification_value", values[kept], kept, value_id, field_id))
    return found


def retire(ctx: Any, duplicate: Duplicate) -> Duplicate:
    """Delete an extra image, deactivate an extra specification value."""
    from vtex_provider.models.catalog import SpecificationValue

    catalog = ctx.clients.catalog
    if duplicate.entity == "sku_image":
        catalog.delete_sku_file(int(duplicate.parent), int(duplicate.extra))
        return Duplicate(**{**duplicate.__dict__, "action": Retirement.REMOVED})
    current = next(v for v in catalog.list_specification_values(int(duplicate.parent))
                   if str(v.field_value_id) == duplicate.extra)
    catalog.update_specification_value(int(duplicate.extra), SpecificationValue(
        field_id=int(duplicate.parent), name=current.value, is_active=False, position=current.position or 1))
    return Duplicate(**{**duplicate.__dict__, "action": Retirement.DEACTIVATED})


def sweep(ctx: Any, *, remove: bool = False) -> list[Duplicate]:
    """Every extra copy found, logged one per line; retired when `remove` (else only reported)."""
    found = image_duplicates(ctx) + value_duplicates(ctx)
    done = []
    for dup in found:
        if remove and not ctx.dry_run:
            dup = retire(ctx, dup)
        log.warning("%s %s is in VTEX twice: kept %s, extra copy %s in %s (%s)",
                    dup.entity, dup.erp_key, dup.kept, dup.extra, dup.parent, dup.action)
        done.append(dup)
    log.info("duplicate sweep: %d extra copies found%s", len(found), ", retired" if remove and found else "")
    return done
