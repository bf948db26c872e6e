"""Where the orders hook's settings live: the ``vtex_orders_hook`` Airflow connection.

``password`` is the static secret VTEX sends in the hook's headers, ``extra.url`` the public
https URL VTEX posts to, ``extra.header`` the header name. The default is ``key``: VTEX's
Orders API marks ``hook.headers.key`` required and its guide calls it the endpoint's key. The account and the
app key that VTEX names as the notification's ``Origin`` come from ``vtex_default``; the inbox
is the state store of ``vtex_state``. The secret is never logged or shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

HOOK_CONN_ID = "vtex_orders_hook"
DEFAULT_HEADER = "key"


class HookNotConfiguredError(RuntimeError):
    """The ``vtex_orders_hook`` connection is missing or lacks its secret."""


@dataclass(frozen=True)
class HookSettings:
    url: str | None
    header: str
    secret: str = field(repr=False)
    account: str
    app_key: str
    state_url: str = field(repr=False)


def get_connection(conn_id: str) -> Any | None:
    """An Airflow connection by id, or None: env/secrets backends first, then the metadata DB
    (which the api-server can read, a plain process cannot through the task SDK)."""
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # not found through the SDK: try the metastore, where one is reachable
        pass
    try:
        from airflow.models.connection import Connection

        return Connection.get_connection_from_secrets(conn_id)
    except Exception:
        return None


def _state_url(conn_id: str) -> str:
    from vtex_sync.db import url_with_password
    from vtex_sync.state.factory import DEFAULT_STATE_URL

    conn = get_connection(conn_id)
    if conn is not None and conn.extra_dejson.get("url"):
        return url_with_password(conn.extra_dejson["url"], conn.password)
    return os.environ.get("VTEX_STATE_URL") or DEFAULT_STATE_URL


def hook_settings(hook_conn_id: str = HOOK_CONN_ID, vtex_conn_id: str = "vtex_default",
                  state_conn_id: str = "vtex_state") -> HookSettings:
    hook = get_connection(hook_conn_id)
    if hook is None or not hook.password:
        raise HookNotConfiguredError(
            f"connection {hook_conn_id!r} is missing or has no password (the hook's shared secret)")
    vtex = get_connection(vtex_conn_id)
    if vtex is None or not vtex.login:
        raise HookNotConfiguredError(f"connection {vtex_conn_id!r} is missing or has no app key (login)")
    extra = hook.extra_dejson
    return HookSettings(
        url=extra.get("url") or None,
        header=extra.get("header") or DEFAULT_HEADER,
        secret=hook.password,
        account=vtex.extra_dejson.get("account_name") or "",
        app_key=vtex.login,
        state_url=_state_url(state_conn_id),
    )
