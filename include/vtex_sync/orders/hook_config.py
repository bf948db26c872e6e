"""Configure VTEX's orders hook for this app key, show it, and set it again when VTEX dropped it.

VTEX removes a hook configuration that had no notification for three days; the hourly
``ensure`` run of ``vtex_orders_hook_config`` puts it back (the feed and the sweep cover the gap).
The hook uses the feed's statuses and sends the shared secret in the configured header.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from vtex_provider.clients.base import VtexClient
from vtex_provider.models.base import CamelModel
from vtex_provider.models.oms import FeedFilter
from vtex_sync.orders.hook_settings import HookNotConfiguredError, HookSettings
from vtex_sync.orders.statuses import FEED_STATUSES

log = logging.getLogger(__name__)

HOOK_CONFIG = "/api/orders/hook/config"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class Hook(CamelModel):
    url: str
    headers: dict[str, str]


class HookConfig(CamelModel):
    """Body of ``POST /api/orders/hook/config`` and answer of its GET."""

    filter: FeedFilter
    hook: Hook


class HookAction(StrEnum):
    SHOW = "show"
    SET = "set"
    ENSURE = "ensure"


class OrdersHookClient(VtexClient):
    """The three hook configuration calls of VTEX's Orders API."""

    def get(self) -> HookConfig | None:
        body = self._json_or_none(HOOK_CONFIG, headers=JSON_HEADERS)  # VTEX requires both on this GET
        return HookConfig.model_validate(body) if body else None

    def set(self, config: HookConfig) -> None:
        """Create or replace; VTEX pings the URL first and answers 400 unless it got a 200."""
        self._call("POST", HOOK_CONFIG, json=config.to_body(), idempotent=True)

    def delete(self) -> None:
        self._call("DELETE", HOOK_CONFIG)


def desired_config(settings: HookSettings) -> HookConfig:
    if not settings.url:
        raise HookNotConfiguredError(
            "connection vtex_orders_hook has no extra.url (the receiver's public URL)")
    headers = {"key": settings.secret, settings.header: settings.secret}  # VTEX requires "key"
    return HookConfig(filter=FeedFilter(type="FromWorkflow", status=list(FEED_STATUSES)),
                      hook=Hook(url=settings.url, headers=headers))


def summary(config: HookConfig | None) -> dict[str, Any]:
    """What is configured, header values masked."""
    if config is None:
        return {"configured": False}
    return {"configured": True, "type": config.filter.type, "statuses": config.filter.status or [],
            "missing_statuses": sorted(set(FEED_STATUSES) - set(config.filter.status or [])),
            "url": config.hook.url, "headers": {name: "***" for name in config.hook.headers}}


def _same(current: HookConfig, wanted: HookConfig) -> bool:
    return (current.hook.url == wanted.hook.url and current.hook.headers == wanted.hook.headers
            and current.filter.type == wanted.filter.type
            and set(current.filter.status or []) == set(wanted.filter.status or []))


def run(ctx: Any, settings: HookSettings, action: HookAction = HookAction.ENSURE) -> dict[str, Any]:
    """show: report; set: configure; ensure: configure only when missing or different."""
    client = OrdersHookClient(ctx.hook)
    current = client.get()
    if action == HookAction.SHOW:
        result = summary(current) | {"action": "shown"}
    else:
        wanted = desired_config(settings)
        if action == HookAction.ENSURE and current is not None and _same(current, wanted):
            result = summary(current) | {"action": "kept"}
        elif ctx.dry_run:
            result = summary(current) | {"action": "dry run: would set"}
        else:
            if current is None and action == HookAction.ENSURE:
                log.warning("orders hook: VTEX has no hook configuration for this app key "
                            "(it drops one idle for 3 days): setting it again")
            client.set(wanted)
            result = summary(client.get()) | {"action": "restored" if current is None else "set"}
    log.info("orders hook: %s | %s | %s statuses | headers %s", result["action"], result.get("url", "-"),
             len(result.get("statuses", [])), ", ".join(result.get("headers", {})) or "-")
    return result
