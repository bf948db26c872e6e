"""The VTEX page in the Airflow UI: an Airflow plugin serving a FastAPI app and a navigation entry."""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/vtex/ops"  # beside the orders hook receiver's /vtex/orders-hook


class LazyApp:
    """An ASGI app built on its first request, so components that never serve it don't import it."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from vtex_ui.app import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


class VtexUiPlugin(AirflowPlugin):
    """``/vtex/ops/`` on the api-server, shown in the navigation as *VTEX* (an embedded page)."""

    name = "vtex_ui"
    fastapi_apps = [{"app": LazyApp(), "url_prefix": URL_PREFIX, "name": "VTEX operations"}]
    external_views = [
        {
            "name": "VTEX",
            "href": "vtex/ops/",
            "url_route": "vtex",
            "destination": "nav",
            "icon": "vtex/ops/icon.svg",
        }
    ]
