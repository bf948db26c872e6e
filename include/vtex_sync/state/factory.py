"""Build the `StateStore` from an Airflow connection, the environment, or the default SQLite file."""

from __future__ import annotations

import os
import threading

from vtex_sync.db import url_with_password
from vtex_sync.state.store import StateStore

DEFAULT_STATE_URL = "sqlite:///.state/vtex_state.db"
_stores: dict[tuple[str, int], StateStore] = {}
_stores_lock = threading.Lock()


def shared_store(url: str) -> StateStore:
    """One `StateStore` (one connection pool) per URL and process: a worker running many steps
    keeps a bounded number of database connections instead of a pool per step."""
    key = (url, os.getpid())  # a forked child never reuses its parent's pooled connections
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = StateStore(url)
        return store


def state_store_from_connection(conn_id: str = "vtex_state") -> StateStore:
    """The store named by connection `conn_id` (extra ``{"url": ...}``, password inserted),
    else env ``VTEX_STATE_URL``, else a SQLite file under ``.state/`` in the working directory."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    url = None
    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        conn = None
    if conn is not None and conn.extra_dejson.get("url"):
        url = url_with_password(conn.extra_dejson["url"], conn.password)
    return shared_store(url or os.environ.get("VTEX_STATE_URL") or DEFAULT_STATE_URL)
