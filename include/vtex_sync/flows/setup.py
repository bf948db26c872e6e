"""The initial setup and customer import, one function per step (what a task calls)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vtex_sync.entities import ALL_STEPS, Step, parent_tables
from vtex_sync.erp import check_category_tree, validate_rows
from vtex_sync.flows import catalog as cat
from vtex_sync.flows import commerce as com
from vtex_sync.flows.engine import EntityReport, EntitySpec, plan
from vtex_sync.flows.runner import Batch, Window, known_parents, load_valid, read_table, run_entity
from vtex_sync.records import Action, RecordStatus

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext

log = logging.getLogger(__name__)

PARENT_TABLES: dict[str, str] = parent_tables()

# every entity's behaviour, by entity name
SPECS: dict[str, EntitySpec] = {
    spec.name: spec for module in (cat, com) for spec in vars(module).values() if isinstance(spec, EntitySpec)
}


def _plannable(ctx: SyncContext, *specs: EntitySpec) -> dict[str, set[str]] | None:
    """For a dry run: the parents the real run would have created by then, so the dry run
    counts as waiting exactly what the run leaves waiting."""
    if not ctx.dry_run:
        return None
    made: dict[str, set[str]] = {}
    parents = {parent for spec in specs for parent in spec.entity.parents.values()}
    return {parent: _creatable(ctx, parent, made) for parent in parents}


def _creatable(ctx: SyncContext, entity: str, made: dict[str, set[str]]) -> set[str]:
    """Keys of `entity` a real run creates or already has: ERP rows that pass validation (a
    category also the tree check) whose every parent is bound in VTEX or creatable itself."""
    if entity in made:
        return made[entity]
    made[entity] = set()  # a category's own parent is the tree check's
    spec, table = SPECS[entity], PARENT_TABLES[entity]
    raw = read_table(ctx, table)
    rows = validate_rows(table, raw, known=known_parents(ctx, table, raw)).valid
    bound = _bound(ctx, entity)
    if entity == cat.CATEGORIES.name:
        rows, _ = check_category_tree(rows, known_codes=bound)
    parents = {parent for parent in spec.entity.parents.values() if parent != entity}
    ready = {parent: _creatable(ctx, parent, made) for parent in parents}
    keys = {
        spec.key(row)
        for row in rows
        if all(key in ready[parent] for parent, key in spec.parent_keys(row).items() if parent != entity)
    }
    made[entity] = keys | bound
    return made[entity]


def _bound(ctx: SyncContext, entity: str) -> set[str]:
    return {key for key, binding in ctx.state.bindings(ctx.account, entity).items() if binding.vtex_id}


def _simple(spec: EntitySpec, **kwargs: Any) -> Callable[..., EntityReport]:
    def step(ctx: SyncContext, batch: Batch | None = None, window: Window | None = None) -> EntityReport:
        return run_entity(ctx, spec, batch=batch, window=window, plannable=_plannable(ctx, spec), **kwargs)

    return step


def categories(ctx: SyncContext, batch: Batch | None = None, window: Window | None = None) -> EntityReport:
    """Category tree, parents first: one wave per depth, so every parent has its id in time."""
    rows, quarantined = load_valid(ctx, "categories", window=window)
    # the one check of the tree: a parent is known when it is in this read or in the id map
    known = {code for code, binding in ctx.state.bindings(ctx.account, "category").items() if binding.vtex_id}
    ordered, bad = check_category_tree(rows, known_codes=known)
    if not ctx.dry_run:
        ctx.state.quarantine_entries(ctx.account, bad)
    for entry in bad:
        log.warning("quarantined categories %s: %s (%s)", entry.key, entry.rule, entry.message)
    depth: dict[str, int] = {}
    for row in ordered:
        depth[row.code] = depth.get(row.parent_code, -1) + 1 if row.parent_code in depth else 0

    def waves(records: list[Any]) -> list[list[Any]]:
        levels = sorted({depth[r.code] for r in records})
        return [[r for r in records if depth[r.code] == level] for level in levels]

    planned_parents = {"category": {r.code for r in ordered}} if ctx.dry_run else None
    return run_entity(
        ctx,
        cat.CATEGORIES,
        rows=ordered,
        quarantined=quarantined + len(bad),
        waves=waves,
        plannable=planned_parents,
    )


def product_specifications(
    ctx: SyncContext, batch: Batch | None = None, window: Window | None = None
) -> EntityReport:
    """A product's specifications in one call (its rows are in one batch): VTEX's one-call
    route names the values, so their names are read for the values the rows use."""
    rows, quarantined = load_valid(ctx, "product_specifications", window=window, batch=batch)
    codes = {row.value_code for row in rows if row.value_code}
    values = validate_rows("specification_values", ctx.erp.read_keys("specification_values", codes)).valid
    names = {value.code: value.name for value in values}
    records = [cat.NamedValue(row, names.get(row.value_code)) for row in rows]
    spec = cat.PRODUCT_SPECIFICATIONS
    return run_entity(ctx, spec, rows=records, quarantined=quarantined, plannable=_plannable(ctx, spec))


def skus(ctx: SyncContext, batch: Batch | None = None, window: Window | None = None) -> EntityReport:
    """Create SKUs (inactive, as VTEX requires; with ActivateIfPossible where the ERP has them
    active) and their EANs. An update waits for the activation step, after the SKU's
    specifications and images: it is held (`RecordStatus.WAITING_PASS`) for that step."""
    rows, quarantined = load_valid(ctx, "skus", window=window, batch=batch)
    plannable = _plannable(ctx, cat.SKUS)
    outcome = run_entity(
        ctx, cat.SKUS, rows=rows, quarantined=quarantined, actions=frozenset({Action.CREATE}),
        plannable=plannable, hold=RecordStatus.WAITING_PASS,
    )
    outcome.add(run_entity(ctx, cat.SKU_EANS, rows=rows, plannable=_plannable(ctx, cat.SKU_EANS)))
    return outcome


def sku_activation(
    ctx: SyncContext, batch: Batch | None = None, window: Window | None = None
) -> EntityReport:
    """Send the complete SKU with its ERP active flag, now that specifications and images exist,
    for the SKUs whose update the SKUs step held back (read by key: a setup that only created
    SKUs reads none; VTEX activates a new SKU itself when its image lands). A dry run plans
    every SKU of the batch instead (nothing was held)."""
    if ctx.dry_run:  # nothing was held: the SKUs the run would hold are those it would update
        rows, _ = load_valid(ctx, "skus", window=window, batch=batch)
        plannable = _plannable(ctx, cat.SKUS)
        updates = {p.key for p in plan(ctx, cat.SKUS, rows, plannable=plannable) if p.action == Action.UPDATE}
        rows = [row for row in rows if row.ref_id in updates]
        return run_entity(ctx, cat.SKUS, rows=rows, actions=frozenset({Action.UPDATE}), plannable=plannable)
    held = [k for k in ctx.state.keys_with_status(ctx.account, "sku", [RecordStatus.WAITING_PASS])
            if batch is None or batch.holds(k)]
    rows = validate_rows("skus", ctx.erp.read_keys("skus", held)).valid if held else []
    outcome = run_entity(ctx, cat.SKUS, rows=rows, actions=frozenset({Action.UPDATE}))
    settled = set(held) - {f.key for f in outcome.failures}
    still = set(ctx.state.keys_with_status(ctx.account, "sku", [RecordStatus.WAITING_PASS])) & settled
    for key in still:  # unchanged by now (or its row is gone): nothing left to send
        ctx.state.set_status(ctx.account, "sku", key, RecordStatus.SYNCED)
    return outcome


def prices(ctx: SyncContext, batch: Batch | None = None, window: Window | None = None) -> EntityReport:
    base, q1 = load_valid(ctx, "prices", window=window, batch=batch)
    fixed, q2 = load_valid(ctx, "fixed_prices", window=window, batch=batch)  # sliced by SKU too
    records = com.price_records(base, fixed)
    return run_entity(
        ctx, com.PRICES, rows=records, quarantined=q1 + q2, plannable=_plannable(ctx, com.PRICES)
    )


def warehouses(ctx: SyncContext, batch: Batch | None = None, window: Window | None = None) -> EntityReport:
    """Docks first (a warehouse names its docks), then warehouses with their docks."""
    docks, q1 = load_valid(ctx, "docks", window=window)
    outcome = run_entity(ctx, com.DOCKS, rows=docks, quarantined=q1)
    houses, q2 = load_valid(ctx, "warehouses", window=window)
    records = com.warehouse_records(houses, docks)
    outcome.add(run_entity(ctx, com.WAREHOUSES, rows=records, quarantined=q2))
    return outcome


# steps that do more than run their one entity
_SPECIAL: dict[str, Callable[..., EntityReport]] = {
    "categories": categories,
    "product_specifications": product_specifications,
    "skus": skus,
    "sku_activation": sku_activation,
    "prices": prices,
    "warehouses": warehouses,
}


def step_functions(all_steps: tuple[Step, ...] = ALL_STEPS) -> dict[str, Callable[..., EntityReport]]:
    """Step name -> what runs it: its special function, or its one entity through the engine."""
    return {
        step.name: _SPECIAL.get(step.name) or _simple(SPECS[step.entities[0]]) for step in all_steps
    }


STEP_FUNCTIONS: dict[str, Callable[..., EntityReport]] = step_functions()
