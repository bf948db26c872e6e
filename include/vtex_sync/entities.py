"""The entity catalogue: every ERP -> VTEX entity declared once (constants only: DAG files import this).

One `Entity` per kind of VTEX object the integration writes, in VTEX's documented dependency
order: its ERP table and key columns, the foreign keys to its parents, the step, task group and
pool that run it, whether the step is batched, and how a key left pending in the state store is
read back from the ERP. Validation's parent references, the dry run's parent tables, the
incremental syncs' pending reads, the step lists and the DAG wiring are all derived from
`CATALOGUE`. What an entity *does* (build, create, update, lookup, upsert) lives in
``vtex_sync.flows`` as its `EntitySpec`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial


class Readback(StrEnum):
    """How a pending id-map key of an entity finds its ERP row again."""

    KEY = "key"  # the id-map key is the row's key
    FIRST_PART = "first_part"  # the row's key is the id-map key's first part (one row, many records)
    # every row whose first key column is the key's first part (records written together, one
    # call per group: a product's specifications)
    GROUP = "group"

    def row_key(self, key: str) -> str:
        """The key of the ERP row an id-map key of this kind comes from (`GROUP`: the value of
        the table's first key column its group's rows share)."""
        return key if self is Readback.KEY else key.split("|", 1)[0]


class Removal(StrEnum):
    """What reaches VTEX when the ERP no longer has a record VTEX holds."""

    DEACTIVATE = "deactivate"  # the VTEX object stays, with `IsActive: false` (products, SKUs)
    DELETE = "delete"  # the VTEX child record is deleted (specifications, images, trade-policy links)


class Flow(StrEnum):
    """The scheduled incremental syncs, each re-reading its own entities' pending records."""

    CATALOG = "catalog"
    PRICES = "prices"
    INVENTORY = "inventory"


@dataclass(frozen=True, eq=False)
class Entity:
    """One kind of VTEX object and where it comes from in the ERP."""

    name: str  # the entity's name in the id map
    table: str  # the ERP table its records are read from
    key: tuple[str, ...]  # the record fields that make its id-map key ('|' between parts)
    step: str  # the initial-setup step (and task) that writes it
    group: str  # the DAG task group of that step
    pool: str  # the Airflow pool of that step
    # ERP column -> parent entity: the record waits until the parent has its VTEX id
    parents: Mapping[str, str] = field(default_factory=dict)
    # ERP column -> entity written *after* this one that names it (a dock's warehouse): checked
    # in the ERP data, never waited for in VTEX
    owners: Mapping[str, str] = field(default_factory=dict)
    batched: bool = False
    # records are made from another entity's rows (a product's trade policies, a SKU's EAN):
    # its parents name record fields, not ERP columns of its own
    derived: bool = False
    # other ERP tables folded into its records (a price's fixed prices), with the same parents
    details: tuple[str, ...] = ()
    sync: Flow | None = None  # the incremental sync that retries its pending records
    readback: Readback = Readback.KEY
    # a derived record's source columns: a bad value there holds back this record alone, and
    # the rest of the row is written (a SKU without its bad EAN)
    fields: tuple[str, ...] = ()
    # what VTEX is sent when the ERP drops the record: its row deleted outright, or (derived
    # records) no longer made from a row that is still there
    removal: Removal | None = None
    # entities whose step must finish before this one starts, beyond its parents (an order
    # VTEX needs that no foreign key shows)
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pass:
    """A step that writes an entity declared earlier a second time (SKU activation)."""

    step: str
    entity: str


@dataclass(frozen=True)
class Step:
    """One task (or mapped task) of a loading DAG; derived from the catalogue."""

    name: str
    group: str  # task group in the DAG
    pool: str
    table: str  # the ERP table whose size decides the number of batches
    batched: bool = False
    entities: tuple[str, ...] = ()
    # the steps that must finish before this one starts (derived from the entities' parents)
    upstream: tuple[str, ...] = ()
    # the steps in the longest chain that starts with this one (itself included): the pool
    # slots go first to the steps most others wait for (Airflow's `priority_weight`)
    priority: int = 1


_catalog = partial(Entity, group="catalog", pool="vtex_catalog", sync=Flow.CATALOG)


CATALOGUE: tuple[Entity | Pass, ...] = (
    _catalog("category", "categories", ("code",), "categories", parents={"parent_code": "category"}),
    _catalog("brand", "brands", ("code",), "brands"),
    _catalog(
        "specification_group", "specification_groups", ("code",), "specification_groups",
        parents={"category_code": "category"},
    ),
    _catalog(
        "specification_field", "specification_fields", ("code",), "specification_fields",
        parents={"group_code": "specification_group", "category_code": "category"},
    ),
    _catalog(
        "specification_value", "specification_values", ("code",), "specification_values",
        parents={"field_code": "specification_field"},
    ),
    _catalog(
        "product", "products", ("ref_id",), "products", batched=True,
        parents={"category_code": "category", "brand_code": "brand"}, removal=Removal.DEACTIVATE,
    ),
    _catalog(
        "product_specification", "product_specifications", ("product_ref_id", "field_code", "value_code"),
        "product_specifications", batched=True, readback=Readback.GROUP,
        parents={"product_ref_id": "product", "field_code": "specification_field",
                 "value_code": "specification_value"},
        removal=Removal.DELETE,
    ),
    _catalog(
        "product_trade_policy", "products", ("product_ref_id", "trade_policy_id"), "product_trade_policies",
        batched=True, derived=True, readback=Readback.FIRST_PART, parents={"product_ref_id": "product"},
        fields=("trade_policies",), removal=Removal.DELETE,
    ),
    _catalog(
        "sku", "skus", ("ref_id",), "skus", batched=True, parents={"product_ref_id": "product"},
        removal=Removal.DEACTIVATE,
    ),
    _catalog(
        "sku_ean", "skus", ("ref_id",), "skus", batched=True, derived=True, parents={"ref_id": "sku"},
        fields=("ean",),
    ),
    _catalog(
        "sku_specification", "sku_specifications", ("sku_ref_id", "field_code"), "sku_specifications",
        batched=True,
        parents={"sku_ref_id": "sku", "field_code": "specification_field",
                 "value_code": "specification_value"},
        removal=Removal.DELETE,
    ),
    # VTEX activates a SKU created with ActivateIfPossible when an image is associated with it
    # (catalog.json, guide skus.md), and only if its specifications are filled by then
    _catalog(
        "sku_image", "sku_images", ("sku_ref_id", "position"), "sku_images", batched=True,
        parents={"sku_ref_id": "sku"}, removal=Removal.DELETE, after=("sku_specification",),
    ),
    Pass("sku_activation", "sku"),
    Entity(
        "price", "prices", ("sku_ref_id",), "prices", "pricing", "vtex_pricing", batched=True,
        parents={"sku_ref_id": "sku"}, details=("fixed_prices",), sync=Flow.PRICES,
    ),
    Entity("dock", "docks", ("code",), "warehouses", "logistics", "vtex_logistics",
           owners={"warehouse_code": "warehouse"}),
    Entity("warehouse", "warehouses", ("code",), "warehouses", "logistics", "vtex_logistics"),
    Entity(
        "inventory", "stock", ("sku_ref_id", "warehouse_code"), "inventory", "logistics", "vtex_logistics",
        batched=True, parents={"sku_ref_id": "sku", "warehouse_code": "warehouse"}, sync=Flow.INVENTORY,
    ),
    Entity("customer", "customers", ("code",), "customers", "customers", "vtex_masterdata", batched=True),
    Entity(
        "customer_address", "customer_addresses", ("code",), "customer_addresses", "customers",
        "vtex_masterdata", batched=True, parents={"customer_code": "customer"},
    ),
)

CUSTOMER_GROUP = "customers"  # the group the customers import runs; every other group is initial setup


# --- derived tables (each a function of a catalogue, so a test can add an entity) -------------


def entities(catalogue: Iterable[Entity | Pass] = CATALOGUE) -> dict[str, Entity]:
    """Entity name -> declaration; raises on a duplicate name or an undeclared parent."""
    catalogue = tuple(catalogue)
    names = {item.name for item in catalogue if isinstance(item, Entity)}
    found: dict[str, Entity] = {}
    for item in catalogue:
        if isinstance(item, Pass):
            if item.entity not in found:
                raise ValueError(f"pass {item.step!r}: entity {item.entity!r} is not declared before it")
            continue
        if item.name in found:
            raise ValueError(f"entity {item.name!r} is declared twice")
        for column, parent in item.parents.items():
            if parent != item.name and parent not in found:
                raise ValueError(f"entity {item.name!r}: parent {parent!r} ({column}) is not declared before")
        if item.fields and not item.derived:
            raise ValueError(f"entity {item.name!r}: only a derived entity holds back source fields")
        for column, owner in item.owners.items():
            if owner not in names:
                raise ValueError(f"entity {item.name!r}: owner {owner!r} ({column}) is not declared")
        found[item.name] = item
    return found


def steps(catalogue: Iterable[Entity | Pass] = CATALOGUE) -> tuple[Step, ...]:
    """The steps in VTEX's documented order, each with the steps it waits for; entities sharing
    a step must agree on its group and pool."""
    catalogue = tuple(catalogue)
    declared = entities(catalogue)
    by_name: dict[str, Step] = {}
    for item in catalogue:
        entity = declared[item.entity] if isinstance(item, Pass) else item
        name = item.step
        step = by_name.get(name)
        if step is None:
            by_name[name] = Step(
                name, entity.group, entity.pool, entity.table, entity.batched, (entity.name,)
            )
            continue
        if (step.group, step.pool, step.batched) != (entity.group, entity.pool, entity.batched):
            raise ValueError(f"entity {entity.name!r} disagrees with step {name!r}: group, pool, batches")
        by_name[name] = replace(step, entities=step.entities + (entity.name,))
    upstream = _upstream(catalogue, declared)
    priority = _chain_lengths(upstream)
    return tuple(
        replace(step, upstream=upstream[step.name], priority=priority[step.name])
        for step in by_name.values()
    )


def _chain_lengths(upstream: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Step -> the steps in the longest chain of waits that starts with it (itself included)."""
    length = dict.fromkeys(upstream, 1)
    for step in reversed(list(upstream)):  # VTEX's order: a step's waiters come after it
        for earlier in upstream[step]:
            length[earlier] = max(length[earlier], length[step] + 1)
    return length


def _upstream(
    catalogue: tuple[Entity | Pass, ...], declared: dict[str, Entity]
) -> dict[str, tuple[str, ...]]:
    """Step -> the earlier steps it waits for: those writing its entities' parents (and the
    entities it is declared `after`); a pass waits for every earlier step writing a child of
    its entity (SKU activation after the SKUs' EANs, specifications and images). Steps that
    hang off the same parent therefore run side by side."""
    writer: dict[str, str] = {}
    needs: dict[str, list[str]] = {}
    for item in catalogue:
        step = item.step
        wanted = needs.setdefault(step, [])
        if isinstance(item, Pass):
            children = [e.name for e in declared.values() if item.entity in e.parents.values()]
            names = [item.entity, *children]
        else:
            names = [*item.parents.values(), *item.after]
            for name in item.after:
                if name not in declared:
                    raise ValueError(f"entity {item.name!r}: after {name!r}, which is not declared")
        for name in names:
            source = writer.get(name)
            if source is not None and source != step and source not in wanted:
                wanted.append(source)
        if isinstance(item, Entity):
            writer.setdefault(item.name, step)
    return _without_implied(needs)


def _without_implied(needs: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Drop a wait that another wait already implies (fields wait for groups, which wait for
    categories: fields need not name categories)."""

    def ancestors(step: str) -> set[str]:
        found: set[str] = set()
        todo = list(needs.get(step, ()))
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo.extend(needs.get(name, ()))
        return found

    return {
        step: tuple(w for w in wanted if not any(w in ancestors(other) for other in wanted if other != w))
        for step, wanted in needs.items()
    }


def validation_parents(catalogue: Iterable[Entity | Pass] = CATALOGUE) -> dict[str, dict[str, str]]:
    """ERP table -> {column: parent ERP table}: the references a batch of ERP rows can be checked against."""
    declared = entities(catalogue)
    result: dict[str, dict[str, str]] = {}
    for entity in declared.values():
        if entity.derived:
            continue
        references = {**entity.parents, **entity.owners}
        columns = {column: declared[parent].table for column, parent in references.items()}
        for table in (entity.table, *entity.details):
            if columns:
                result.setdefault(table, {}).update(columns)
    return result


def parent_tables(catalogue: Iterable[Entity | Pass] = CATALOGUE) -> dict[str, str]:
    """Entity name -> the ERP table of its rows (where a dry run finds parents about to be created)."""
    return {entity.name: entity.table for entity in entities(catalogue).values()}


def pending_reads(
    flow: Flow, catalogue: Iterable[Entity | Pass] = CATALOGUE
) -> dict[str, tuple[str, Readback]]:
    """Entity -> (ERP table, readback) for the entities whose pending records `flow` retries."""
    return {e.name: (e.table, e.readback) for e in entities(catalogue).values() if e.sync == flow}


def held_fields(catalogue: Iterable[Entity | Pass] = CATALOGUE) -> dict[str, dict[str, str]]:
    """ERP table -> {column: derived entity}: the columns whose bad value holds back only that record."""
    result: dict[str, dict[str, str]] = {}
    for entity in entities(catalogue).values():
        for column in entity.fields:
            result.setdefault(entity.table, {})[column] = entity.name
    return result


def removable(flow: Flow, catalogue: Iterable[Entity | Pass] = CATALOGUE) -> tuple[Entity, ...]:
    """The entities of `flow` whose rows deleted from the ERP are removed in VTEX (own tables only:
    a derived record is removed where its source row is read)."""
    return tuple(
        e for e in entities(catalogue).values() if e.sync == flow and e.removal is not None and not e.derived
    )


def flow_pool(flow: Flow, catalogue: Iterable[Entity | Pass] = CATALOGUE) -> str:
    """The pool of the first entity an incremental flow syncs."""
    return next(e.pool for e in entities(catalogue).values() if e.sync == flow)


ENTITIES: dict[str, Entity] = entities()
ALL_STEPS: tuple[Step, ...] = steps()
