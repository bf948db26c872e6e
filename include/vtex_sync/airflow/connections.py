"""A `SyncContext` from Airflow connections and the ``vtex_sync_settings`` variable."""

from __future__ import annotations

from vtex_sync.context import SyncContext, SyncSettings


def load_settings() -> SyncSettings:
    """The ``vtex_sync_settings`` Airflow variable, or the defaults when it is absent."""
    from airflow.sdk import Variable

    try:
        values = Variable.get("vtex_sync_settings", default=None, deserialize_json=True)
    except Exception:  # no Airflow context (plain Python): defaults
        values = None
    return SyncSettings.from_mapping(values)


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
