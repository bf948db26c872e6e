"""Incremental sync: the ERP rows changed in a time window, plus records still waiting or failed.

Each flow reads the rows whose ``updated_at`` falls in the window (an indexed range read),
adds the rows of records a previous run left waiting on a parent or failed (read by key), and
lets the plan/apply engine skip every record whose payload hash has not changed. The same
function therefore serves scheduled runs, backfills over any date range, reruns and retries.
A blast-radius guard looks at the plan before anything is written.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from vtex_sync.entities import ALL_STEPS, ENTITIES, Flow, Readback, pending_reads, removable
from vtex_sync.erp import Erp, validate_rows
from vtex_sync.erp.schema import key_columns
from vtex_sync.erp.validation import row_key
from vtex_sync.flows import catalog as cat
from vtex_sync.flows import commerce as com
from vtex_sync.flows import guard
from vtex_sync.flows.engine import EntityReport, plan
from vtex_sync.flows.removal import deleted_keys, remove
from vtex_sync.flows.runner import Window, load_valid, read_table, run_entity
from vtex_sync.flows.setup import SPECS, STEP_FUNCTIONS
from vtex_sync.records import PENDING

if TYPE_CHECKING:
    from vtex_sync.context import SyncContext

log = logging.getLogger(__name__)

# the initial-setup steps the catalog sync runs: those whose entities it syncs
CATALOG_STEPS = tuple(
    s.name for s in ALL_STEPS if all(ENTITIES[name].sync == Flow.CATALOG for name in s.entities)
)
# catalog entity -> (ERP table, how a pending key finds its row)
CATALOG_PENDING: dict[str, tuple[str, Readback]] = pending_reads(Flow.CATALOG)


@dataclasses.dataclass(frozen=True)
class Extra:
    """Rows to add to a table's window read: by row key, or by the value of one ``column``."""

    keys: frozenset[str]
    column: str | None = None


class ErpWithExtras:
    """An ERP reader whose windowed reads also return some rows outside the window (read by key)."""

    def __init__(self, erp: Erp, extras: dict[str, Extra]) -> None:
        self.erp = erp
        self.extras = extras

    def read(
        self,
        table: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        chunk_size: int = 1000,
        key_range: tuple[str | None, str | None] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        seen: set[str] = set()
        ranged = {} if key_range is None else {"key_range": key_range}
        for chunk in self.erp.read(table, since=since, until=until, chunk_size=chunk_size, **ranged):
            seen.update(row_key(table, row) for row in chunk)
            yield chunk
        extra = self.extras.get(table)
        if extra and extra.keys and (since is not None or until is not None):
            rows = self.erp.read_keys(table, extra.keys, column=extra.column)
            more = [row for row in rows if row_key(table, row) not in seen]
            if more:
                yield more

    def read_keys(
        self, table: str, keys: Iterable[str], *, column: str | None = None
    ) -> list[dict[str, Any]]:
        return self.erp.read_keys(table, keys, column=column)

    def count(self, table: str) -> int:
        return self.erp.count(table)

    def keys(self, table: str) -> set[str]:
        return self.erp.keys(table)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.erp, name)


def with_extras(ctx: SyncContext, extras: dict[str, Extra]) -> SyncContext:
    """A copy of the context whose windowed ERP reads also return the `extras` rows."""
    # order calls pass straight through to the wrapped adapter (``__getattr__``)
    return dataclasses.replace(ctx, erp=cast(Erp, ErpWithExtras(ctx.erp, extras)))


def pending_keys(ctx: SyncContext, entity: str) -> set[str]:
    """Keys of `entity` an earlier run left waiting on a parent or failed."""
    return set(ctx.state.keys_with_status(ctx.account, entity, PENDING))


def _valid(ctx: SyncContext, table: str, window: Window) -> list[Any]:
    """Validated rows of the window, without quarantining (the sync step does that)."""
    return validate_rows(table, read_table(ctx, table, window=window)).valid


# --- catalog ---------------------------------------------------------------------------------


def pending_extras(ctx: SyncContext, flow: Flow, window: Window | None = None) -> dict[str, Extra]:
    """The rows, by table, of the records of `flow`'s entities an earlier run left pending; for
    an entity written a group at a time (`Readback.GROUP`), every row of each group that is
    pending or has a row in `window` (a group's call sets the whole group)."""
    by_table: dict[str, set[str]] = {}
    columns: dict[str, str] = {}
    for entity, (table, readback) in pending_reads(flow).items():
        keys = by_table.setdefault(table, set())
        keys.update(readback.row_key(k) for k in pending_keys(ctx, entity))
        if readback is Readback.GROUP:
            columns[table] = column = key_columns(table)[0]
            if window is not None:
                keys.update(str(row[column]).strip() for row in read_table(ctx, table, window=window))
    return {table: Extra(frozenset(keys), columns.get(table)) for table, keys in by_table.items() if keys}


def sync_catalog(
    ctx: SyncContext, window: Window, *, confirm: guard.Confirmation = False
) -> list[EntityReport]:
    """Categories to SKU activation over the window: new records, changes, deactivations, and
    the records whose rows were deleted from the ERP (products and SKUs deactivated; their
    specifications and images removed), each entity as the catalogue declares."""
    ctx = with_extras(ctx, pending_extras(ctx, Flow.CATALOG, window))
    products = _valid(ctx, "products", window)
    skus = _valid(ctx, "skus", window)
    deleted = {SPECS[entity.name]: deleted_keys(ctx, entity) for entity in removable(Flow.CATALOG)}
    guard.enforce(
        "catalog",
        [
            guard.deactivations(ctx, "product", plan(ctx, cat.PRODUCTS, products)),
            guard.deactivations(ctx, "sku", plan(ctx, cat.SKUS, skus)),
            *(guard.removals(ctx, spec.name, len(keys)) for spec, keys in deleted.items()),
        ],
        confirm=confirm,
    )
    outcomes = [_named(step, STEP_FUNCTIONS[step](ctx, window=window)) for step in CATALOG_STEPS]
    return outcomes + [remove(ctx, spec, keys, "deleted from the ERP") for spec, keys in deleted.items()]




def _named(step: str, outcome: EntityReport) -> EntityReport:
    """The step's report under the step's name (its counts by entity keep the entities' names)."""
    outcome.part = outcome.part or outcome.entity
    outcome.entity = step
    return outcome


# --- prices ----------------------------------------------------------------------------------


def changed_price_skus(ctx: SyncContext, window: Window) -> set[str]:
    """SKUs whose base or any fixed price changed in the window, or whose price is still pending."""
    skus = pending_keys(ctx, "price")
    for table in ("prices", "fixed_prices"):
        skus.update(str(row["sku_ref_id"]).strip() for row in read_table(ctx, table, window=window))
    return skus


def sync_prices(
    ctx: SyncContext, window: Window, *, confirm: guard.Confirmation = False
) -> list[EntityReport]:
    """Each changed SKU's complete price: base, list and cost, with ALL its fixed prices."""
    skus = frozenset(changed_price_skus(ctx, window))
    ctx = with_extras(ctx, {"prices": Extra(skus), "fixed_prices": Extra(skus, column="sku_ref_id")})
    base, quarantined_base = load_valid(ctx, "prices", window=window)
    fixed, quarantined_fixed = load_valid(ctx, "fixed_prices", window=window)
    records = com.price_records(base, fixed)
    guard.enforce("prices", [guard.price_moves(ctx, plan(ctx, com.PRICES, records))], confirm=confirm)
    quarantined = quarantined_base + quarantined_fixed
    return [run_entity(ctx, com.PRICES, rows=records, quarantined=quarantined)]


# --- inventory -------------------------------------------------------------------------------


def sync_inventory(
    ctx: SyncContext, window: Window, *, confirm: guard.Confirmation = False
) -> list[EntityReport]:
    """Stock per SKU and warehouse for the rows that changed (complete PUT body)."""
    ctx = with_extras(ctx, pending_extras(ctx, Flow.INVENTORY))
    rows, quarantined = load_valid(ctx, "stock", window=window)
    guard.enforce("inventory", [guard.zero_stock(ctx, plan(ctx, com.INVENTORY, rows))], confirm=confirm)
    return [run_entity(ctx, com.INVENTORY, rows=rows, quarantined=quarantined)]


FLOWS: dict[str, Callable[..., list[EntityReport]]] = {
    "catalog": sync_catalog,
    "prices": sync_prices,
    "inventory": sync_inventory,
}


def total_counts(outcomes: Iterable[EntityReport]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for outcome in outcomes:
        for key, value in outcome.counts.items():
            totals[key] = totals.get(key, 0) + value
    return totals
