"""Airflow plugin: the api-server serves the VTEX orders hook receiver under /vtex/orders-hook.

VTEX's hook URL is then ``https://<airflow host>/vtex/orders-hook/``. The app checks its own
credential (the secret header configured with the hook and the notification's Origin); Airflow's
login does not apply to plugin apps. Deployments that keep Airflow private run the same app
on its own (see ``vtex_sync.orders.hook_receiver``).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from vtex_sync.orders.hook_receiver import create_app

URL_PREFIX = "/vtex/orders-hook"


class VtexOrdersHookPlugin(AirflowPlugin):
    name = "vtex_orders_hook"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "VTEX orders hook"}]
