"""Everything a flow needs for one run: VTEX clients, the ERP, the state store, settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vtex_sync.flows.ownership import Ownership

log = logging.getLogger(__name__)


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
    # which catalog fields the ERP owns (see vtex_sync.flows.ownership): {"product": {"add": [...]}}
    erp_owned_fields: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> SyncSettings:
        known = {k: v for k, v in (values or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Clients:
    """The typed VTEX clients over one hook, built on first use."""

    def __init__(self, hook: Any, ownership: Ownership | None = None) -> None:
        from vtex_sync.flows.ownership import Ownership

        self.hook = hook
        self.ownership = ownership or Ownership.default()

    @cached_property
    def catalog(self) -> Any:
        from vtex_provider.clients.catalog import CatalogClient

        return CatalogClient(self.hook)

    @cached_property
    def pricing(self) -> Any:
        from vtex_provider.clients.pricing import PricingClient

        return PricingClient(self.hook)

    @cached_property
    def logistics(self) -> Any:
        from vtex_provider.clients.logistics import LogisticsClient

        return LogisticsClient(self.hook)

    @cached_property
    def oms(self) -> Any:
        from vtex_provider.clients.oms import OmsClient

        return OmsClient(self.hook)

    @cached_property
    def masterdata(self) -> Any:
        from vtex_provider.clients.masterdata import MasterDataClient

        return MasterDataClient(self.hook)


@dataclass
class SyncContext:
    account: str
    hook: Any
    state: Any
    erp: Any
    dry_run: bool = False
    settings: SyncSettings = field(default_factory=SyncSettings)

    @cached_property
    def clients(self) -> Clients:
        from vtex_sync.flows.ownership import Ownership

        return Clients(self.hook, Ownership.from_setting(self.settings.erp_owned_fields))


def build_context(
    *,
    vtex_conn_id: str = "vtex_default",
    erp_conn_id: str = "erp_default",
    state_conn_id: str = "vtex_state",
    dry_run: bool = False,
    settings: SyncSettings | None = None,
) -> SyncContext:
    """A context from Airflow connections (resolved now, inside the task)."""
    from vtex_provider.hooks.vtex import VtexHook
    from vtex_sync.erp import erp_from_connection
    from vtex_sync.state import state_store_from_connection

    settings = settings or SyncSettings()
    hook = VtexHook(vtex_conn_id, max_workers=settings.max_workers)
    return SyncContext(
        account=hook.account,
        hook=hook,
        state=state_store_from_connection(state_conn_id),
        erp=erp_from_connection(erp_conn_id),
        dry_run=dry_run,
        settings=settings,
    )
