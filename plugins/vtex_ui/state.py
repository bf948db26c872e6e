"""The state store as the api-server sees it (it may read connections from the metadata DB)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

STATE_CONN_ID = "vtex_state"


@lru_cache(maxsize=1)
def state_store() -> Any:
    """The store of connection ``vtex_state`` (extra ``url``), else ``VTEX_STATE_URL``, else the default."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    from vtex_sync.db import url_with_password
    from vtex_sync.state.factory import DEFAULT_STATE_URL
    from vtex_sync.state.store import StateStore

    url = None
    try:
        conn = Connection.get_connection_from_secrets(STATE_CONN_ID)
        if conn.extra_dejson.get("url"):
            url = url_with_password(conn.extra_dejson["url"], conn.password)
    except AirflowNotFoundException:
        pass
    return StateStore(url or os.environ.get("VTEX_STATE_URL") or DEFAULT_STATE_URL)
