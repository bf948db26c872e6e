"""Build the `StateStore` from an Airflow connection, the environment, or the default SQLite file."""

from __future__ import annotations

import os

from vtex_sync.db import url_with_password
from vtex_sync.state.store import StateStore

DEFAULT_STATE_URL = "sqlite:///.state/vtex_state.db"


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
    return StateStore(url or os.environ.get("VTEX_STATE_URL") or DEFAULT_STATE_URL)
