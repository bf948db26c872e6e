"""Everything a flow needs for one run: VTEX clients, the ERP, the state store, the executor, settings.

Plain Python (no Airflow): the Airflow glue builds a `SyncContext` from connections
(``vtex_sync.airflow.connections.build_context``); tests build one from real parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from vtex_sync.erp.base import Erp
from vtex_sync.executor import Executor

if TYPE_CHECKING:
    from vtex_provider.clients.catalog import CatalogClient
    from vtex_provider.clients.logistics import LogisticsClient
    from vtex_provider.clients.masterdata import MasterDataClient
    from vtex_provider.clients.oms import OmsClient
    from vtex_provider.clients.pricing import PricingClient
    from vtex_provider.hooks.vtex import VtexHook
    from vtex_sync.flows.ownership import Ownership
    from vtex_sync.state.store import StateStore


@dataclass(frozen=True)
class SyncSettings:
    """Knobs read from the ``vtex_sync_settings`` Airflow variable (all optional)."""

    batch_size: int = 200
    max_workers: int = 8
    overlap_minutes: int = 5
    max_zero_stock_share: float = 0.2
    max_deactivate_share: float = 0.1
    max_price_move_pct: float = 50.0
    max_price_move_share: float = 0.2
    # a task fails once more records than this failed (after logging every one of them)
    max_failed_records: int = 0
    # which catalog fields the ERP owns (see vtex_sync.flows.ownership): {"product": {"add": [...]}}
    erp_owned_fields: dict[str, Any] = field(default_factory=dict)
    # the bulk path (vtex_sync.bulk.flow): a step batch with at least this many price or stock
    # writes sends them as VTEX batch files instead of one call each
    bulk_threshold: int = 1000
    batch_inventory: bool = False  # VTEX's batch inventory is early access: off by default
    bulk_batch_size: int = 50_000  # ERP rows per task when a step takes the bulk path
    bulk_poll_seconds: float = 5.0

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> SyncSettings:
        known = {k: v for k, v in (values or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Clients:
    """The typed VTEX clients over one hook, built on first use."""

    def __init__(self, hook: VtexHook, ownership: Ownership | None = None) -> None:
        from vtex_sync.flows.ownership import Ownership

        self.hook = hook
        self.ownership = ownership or Ownership.default()

    @cached_property
    def catalog(self) -> CatalogClient:
        from vtex_provider.clients.catalog import CatalogClient

        return CatalogClient(self.hook)

    @cached_property
    def pricing(self) -> PricingClient:
        from vtex_provider.clients.pricing import PricingClient

        return PricingClient(self.hook)

    @cached_property
    def logistics(self) -> LogisticsClient:
        from vtex_provider.clients.logistics import LogisticsClient

        return LogisticsClient(self.hook)

    @cached_property
    def oms(self) -> OmsClient:
        from vtex_provider.clients.oms import OmsClient

        return OmsClient(self.hook)

    @cached_property
    def masterdata(self) -> MasterDataClient:
        from vtex_provider.clients.masterdata import MasterDataClient

        return MasterDataClient(self.hook)


@dataclass
class SyncContext:
    """One run's parts: the VTEX hook and its typed clients, the state store, the ERP, the
    executor a step's calls run on, and the settings."""

    account: str
    hook: VtexHook
    state: StateStore
    erp: Erp
    dry_run: bool = False
    settings: SyncSettings = field(default_factory=SyncSettings)
    run_key: str | None = None  # the Airflow run: finds a retried task's VTEX batches again
    deferred: list | None = None  # set by a deferrable task: bulk batches it waits for
    # an initial-setup task: whether the run confirmed a blast radius past the guard's limits
    # (`flows.setup_guard`); None when the caller guards its own run (the incremental syncs)
    confirm_blast_radius: bool | None = None

    @cached_property
    def clients(self) -> Clients:
        from vtex_sync.flows.ownership import Ownership

        return Clients(self.hook, Ownership.from_setting(self.settings.erp_owned_fields))

    @cached_property
    def executor(self) -> Executor:
        """As many threads as the hook is sized for (``settings.max_workers``), counting its calls."""
        hook = self.hook
        return Executor(hook.max_workers, calls=lambda: hook.stats.calls)
