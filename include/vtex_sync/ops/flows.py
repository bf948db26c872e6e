"""Each scheduled flow, the DAG that runs it, and how fresh its last run must be (constants only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class FlowTarget:
    """``flow`` is the name its run summaries carry in the state store."""

    flow: str
    dag_id: str
    label: str
    freshness: timedelta | None  # None: run on demand, never late


FLOWS: tuple[FlowTarget, ...] = (
    FlowTarget("catalog_sync", "vtex_catalog_sync", "Catalog", timedelta(hours=1)),
    FlowTarget("prices_sync", "vtex_price_sync", "Prices", timedelta(minutes=30)),
    FlowTarget("inventory_sync", "vtex_inventory_sync", "Inventory", timedelta(minutes=15)),
    FlowTarget("customers_import", "vtex_customers_import", "Customers", timedelta(hours=3)),
    FlowTarget("orders_feed", "vtex_orders_feed", "Orders feed", timedelta(minutes=10)),
    FlowTarget("orders_reconcile", "vtex_orders_reconcile", "Orders sweep", timedelta(hours=2)),
    FlowTarget("reconcile", "vtex_reconcile_catalog", "Drift check", timedelta(hours=26)),
    FlowTarget("initial_setup", "vtex_initial_setup", "Initial setup", None),
)

BY_DAG = {f.dag_id: f for f in FLOWS}

# an order ready for handling must reach the ERP within this time
ORDER_TO_ERP = timedelta(minutes=15)

# the sync flows a re-drive or a repair runs, and the pool each one uses
FLOW_POOLS = {"catalog": "vtex_catalog", "prices": "vtex_pricing", "inventory": "vtex_logistics"}
