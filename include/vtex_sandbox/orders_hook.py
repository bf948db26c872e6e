"""Orders hook: configuration, and delivery of order notifications to the configured URL.

As VTEX documents it (guide ``orders-feed.md``, Orders API "Order hook"): saving a
configuration first POSTs ``{"hookConfig": "ping"}`` to the URL with the configured headers
and refuses the configuration (400) unless it answers 200; every status change that passes the
filter is then POSTed to the URL (PascalCase body with ``Origin``), at least once: a non-2xx
answer or no answer within 5 s is retried with a growing delay, and a share of notifications is
sent twice (``duplicate_hook_share``). While a hook is configured the order clock runs on its
own (VTEX's statuses change whether or not anyone calls), so an order becoming ready is notified
without waiting for a request. A hook with no notification for ``hook_idle_seconds``
(VTEX: three days) loses its configuration. Notifications wait in the store (kind
``hook_outbox``), so a sandbox restart loses none.

VTEX accepts only https URLs; the sandbox also accepts http on loopback addresses.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, FastAPI, Request, Response

from vtex_sandbox.errors import VtexError, bad_request
from vtex_sandbox.orders_common import orders_rng, sandbox_now
from vtex_sandbox.routing import JsonBody
from vtex_sandbox.store import Store

log = logging.getLogger(__name__)

router = APIRouter()

CONFIG_KIND = "hook_config"
OUTBOX_KIND = "hook_outbox"
MAIN = "main"
TIMEOUT_SECONDS = 5.0
MAX_RETRY_SECONDS = 600.0
POLL_SECONDS = 0.02
CLOCK_TICK_SECONDS = 0.1
BATCH = 64
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _no_hook() -> VtexError:
    return VtexError(404, "Hook configuration not found")


def parse_config(body: Any) -> dict[str, Any]:
    """Validate a hook configuration (filter as for the feed, ``hook.url`` and ``hook.headers``)."""
    from vtex_sandbox.feed import parse_config as parse_feed_config

    if not isinstance(body, dict) or not isinstance(body.get("filter"), dict):
        raise bad_request("The field 'filter' is required")
    hook = body.get("hook")
    if not isinstance(hook, dict) or not isinstance(hook.get("url"), str):
        raise bad_request("The field 'hook.url' is required")
    headers = hook.get("headers")
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise bad_request("The field 'hook.headers' is required (an object of strings)")
    url = urlsplit(hook["url"])
    if url.scheme != "https" and not (url.scheme == "http" and url.hostname in LOOPBACK):
        raise bad_request("Only https scheme is accepted")
    flt = parse_feed_config({"filter": body["filter"]})["filter"]
    return {"filter": flt, "hook": {"url": hook["url"], "headers": dict(headers)}}


def matches(config: dict[str, Any] | None, state: str) -> bool:
    if config is None:
        return False
    flt = config["filter"]
    if flt["type"] == "FromOrders":
        return True  # JSONata is not evaluated: every order change matches
    return not flt.get("status") or state in flt["status"]


def publish(book: Any, event: dict[str, Any], at: float) -> int:
    """Queue the notification of one status change (called inside the order book's transaction)."""
    store: Store = book.store
    config = store.get(CONFIG_KIND, MAIN)
    if config is None or not matches(config, event["state"]):
        return 0
    cfg = book.config
    body = {
        "Domain": "Fulfillment", "OrderId": event["orderId"], "State": event["state"],
        "LastState": event.get("lastState") or "", "LastChange": event["lastChange"],
        "CurrentChange": event["currentChange"],
        "Origin": {"Account": cfg.account, "Key": config["appKey"]},
    }
    copies = 2 if cfg.duplicate_hook_share > 0 and book.rng.random() < cfg.duplicate_hook_share else 1
    for _ in range(copies):
        key = f"{store.next_id(OUTBOX_KIND):012d}"
        store.put(OUTBOX_KIND, key, {"body": body, "due": at, "attempts": 0})
    return copies


def _post(client: httpx.Client, config: dict[str, Any], body: dict[str, Any]) -> int | None:
    try:
        return client.post(config["hook"]["url"], json=body, headers=config["hook"]["headers"]).status_code
    except httpx.HTTPError:
        return None


class Deliverer:
    """Background delivery of queued notifications; one per sandbox app."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.store: Store = app.state.store
        self.config = app.state.config
        self.rng = random.Random(self.config.seed)
        self.stats = {"delivered": 0, "failed_attempts": 0, "removed_idle": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="vtex-sandbox-hook", daemon=True)
        self._client = httpx.Client(timeout=TIMEOUT_SECONDS)
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.config.hook_concurrency),
                                        thread_name_prefix="vtex-sandbox-hook")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _book(self, now: float) -> Any:
        from vtex_sandbox.orders_book import OrderBook

        request: Any = SimpleNamespace(app=self.app)  # all orders_rng reads of a request
        return OrderBook(self.store, self.config, orders_rng(request), now)

    def tick_clock(self) -> None:
        """Fire the order timers that came due, so their notifications go out."""
        with self.store.transaction():
            if self.store.get(CONFIG_KIND, MAIN) is None:
                return
            now = sandbox_now(self.store)
            book = self._book(now)
            if any(timer["due"] <= now for timer in book.timers.values()):
                book.advance()
                book.close()

    def _loop(self) -> None:
        ticked = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - ticked >= CLOCK_TICK_SECONDS:
                    ticked = time.monotonic()
                    self.tick_clock()
                worked = self.run_once()
            except Exception:  # keep delivering whatever one round hit
                log.exception("hook delivery round failed")
                worked = False
            if not worked:
                self._stop.wait(POLL_SECONDS)

    def _due(self, now: float) -> tuple[dict[str, Any] | None, list[tuple[str, dict[str, Any]]]]:
        with self.store.transaction():
            config = self.store.get(CONFIG_KIND, MAIN)
            if config is None:
                return None, []
            if now - config["lastNotificationAt"] > self.config.hook_idle_seconds:
                self.store.delete(CONFIG_KIND, MAIN)
                self.stats["removed_idle"] += 1
                log.info("hook configuration removed: no notification for %ss", self.config.hook_idle_seconds)
                return None, []
            rows = self.store._conn.execute(
                "SELECT key, body FROM docs WHERE kind = ? AND json_extract(body, '$.due') <= ? "
                "ORDER BY json_extract(body, '$.due'), key LIMIT ?", (OUTBOX_KIND, now, BATCH)).fetchall()
        return config, [(key, json.loads(body)) for key, body in rows]

    def run_once(self) -> bool:
        """Deliver what is due now; True when anything was attempted."""
        now = sandbox_now(self.store)
        config, due = self._due(now)
        if config is None or not due:
            return False
        statuses = list(self._pool.map(lambda item: _post(self._client, config, item[1]["body"]), due))
        now = sandbox_now(self.store)
        with self.store.transaction():
            delivered = False
            for (key, message), status in zip(due, statuses, strict=True):
                if status is not None and 200 <= status < 300:
                    self.store.delete(OUTBOX_KIND, key)
                    self.stats["delivered"] += 1
                    delivered = True
                    continue
                attempts = message["attempts"] + 1
                delay = min(MAX_RETRY_SECONDS, self.config.hook_retry_seconds * 2 ** (attempts - 1))
                self.store.put(OUTBOX_KIND, key, {**message, "attempts": attempts, "due": now + delay})
                self.stats["failed_attempts"] += 1
            current = self.store.get(CONFIG_KIND, MAIN)
            if delivered and current is not None:
                self.store.put(CONFIG_KIND, MAIN, {**current, "lastNotificationAt": now})
        return True


def on_startup(app: FastAPI) -> None:
    app.state.hook_deliverer = Deliverer(app)
    app.state.hook_deliverer.start()


def on_shutdown(app: FastAPI) -> None:
    deliverer = getattr(app.state, "hook_deliverer", None)
    if deliverer is not None:
        deliverer.stop()


@router.post("/api/orders/hook/config")
def configure_hook(request: Request, body: JsonBody) -> Response:
    config = parse_config(body)
    with httpx.Client(timeout=TIMEOUT_SECONDS) as client:
        status = _post(client, config, {"hookConfig": "ping"})
    if status != 200:
        raise bad_request(f"The hook URL did not answer the ping with 200 (got {status or 'no answer'})")
    store: Store = request.app.state.store
    now = sandbox_now(store)
    app_key = request.headers.get("X-VTEX-API-AppKey") or request.app.state.config.app_key
    store.put(CONFIG_KIND, MAIN, {**config, "appKey": app_key, "lastNotificationAt": now})
    return Response(status_code=200)


@router.get("/api/orders/hook/config")
def get_hook_config(request: Request) -> dict[str, Any]:
    config = request.app.state.store.get(CONFIG_KIND, MAIN)
    if config is None:
        raise _no_hook()
    return {"filter": config["filter"], "hook": config["hook"]}


@router.delete("/api/orders/hook/config")
def delete_hook_config(request: Request) -> Response:
    if not request.app.state.store.delete(CONFIG_KIND, MAIN):
        raise _no_hook()
    return Response(status_code=200)


@router.get("/_sandbox/hook")
def hook_stats(request: Request) -> dict[str, Any]:
    store: Store = request.app.state.store
    deliverer = getattr(request.app.state, "hook_deliverer", None)
    return {"configured": store.get(CONFIG_KIND, MAIN) is not None, "pending": store.count(OUTBOX_KIND),
            **(deliverer.stats if deliverer else {})}


@router.post("/_sandbox/hook/drop")
def drop_notifications(request: Request) -> dict[str, int]:
    """Lose every queued notification (for testing that the feed and the sweep catch up)."""
    store: Store = request.app.state.store
    with store.transaction():
        keys = [r[0] for r in store._conn.execute(
            "SELECT key FROM docs WHERE kind = ?", (OUTBOX_KIND,)).fetchall()]
        for key in keys:
            store.delete(OUTBOX_KIND, key)
    return {"dropped": len(keys)}

