"""The orders hook receiver: VTEX POSTs order notifications here; each lands in the durable inbox.

One FastAPI app, served two ways: by Airflow's api-server through the ``vtex_orders_hook``
plugin (under ``/vtex/orders-hook``), or on its own for deployments that keep Airflow private::

    uvicorn vtex_sync.orders.hook_receiver:app --host 0.0.0.0 --port 8901

The request only checks and stores: the secret header configured with the hook, then the
notification's ``Origin.Account``/``Origin.Key`` (a wrong or missing one gets 401 and nothing is
stored), then one insert into the inbox (deduplicated on order, state and change time). It never
calls VTEX or the ERP, so it answers well inside VTEX's 5-second limit. Processing starts from the
inbox (see ``vtex_orders_inbox``).
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vtex_sync.orders.hook_settings import HookSettings, hook_settings
from vtex_sync.state.store import StateStore

log = logging.getLogger(__name__)

PING = {"hookConfig": "ping"}
SETTINGS_TTL_SECONDS = 60.0  # a rotated secret is taken up within a minute, without a restart


class Origin(BaseModel):
    account: str = Field(alias="Account")
    key: str = Field(alias="Key")


class Notification(BaseModel):
    """VTEX's hook notification (PascalCase, as VTEX's Orders API documents it)."""

    model_config = ConfigDict(extra="ignore")

    domain: str | None = Field(None, alias="Domain")
    order_id: str = Field(alias="OrderId", min_length=1)
    state: str = Field(alias="State", min_length=1)
    last_state: str | None = Field(None, alias="LastState")
    last_change: str | None = Field(None, alias="LastChange")
    current_change: str | None = Field(None, alias="CurrentChange")
    origin: Origin | None = Field(None, alias="Origin")

    def inbox_event(self) -> dict[str, Any]:
        """The inbox event, in the feed's field names so a feed copy of it is recognised."""
        event = {"orderId": self.order_id, "state": self.state, "lastState": self.last_state,
                 "lastChange": self.last_change, "currentChange": self.current_change,
                 "domain": self.domain, "source": "hook"}
        return {k: v for k, v in event.items() if v is not None}


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class Receiver:
    """Checks and stores notifications; settings are read on first use and again every minute."""

    def __init__(self, settings: Callable[[], HookSettings] = hook_settings,
                 store: Callable[[HookSettings], StateStore] | None = None) -> None:
        self._settings_factory = settings
        self._store_factory = store or (lambda s: StateStore(s.state_url))
        self._lock = threading.Lock()
        self._settings: HookSettings | None = None
        self._store: StateStore | None = None
        self._read_at = 0.0

    def resolved(self) -> tuple[HookSettings, StateStore]:
        with self._lock:
            if self._settings is None or time.monotonic() - self._read_at > SETTINGS_TTL_SECONDS:
                settings = self._settings_factory()
                previous = self._settings.state_url if self._settings else None
                if self._store is None or settings.state_url != previous:
                    self._store = self._store_factory(settings)
                self._settings, self._read_at = settings, time.monotonic()
            assert self._store is not None
            return self._settings, self._store

    def receive(self, headers: Any, body: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, answer) for one POST."""
        if body == PING:
            return 200, {"hookConfig": "pong"}
        settings, store = self.resolved()
        if not _same(headers.get(settings.header), settings.secret):
            log.warning("orders hook: notification refused: missing or wrong %s header", settings.header)
            return 401, {"error": "unauthorized"}
        try:
            note = Notification.model_validate(body)
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            return 400, {"error": f"not a VTEX order notification: invalid {fields}"}
        origin = note.origin
        if origin is None or not _same(origin.account, settings.account) or not _same(origin.key,
                                                                                     settings.app_key):
            log.warning("orders hook: notification for %s refused: Origin does not match this store",
                        note.order_id)
            return 401, {"error": "unauthorized"}
        stored = store.inbox_add(settings.account, note.inbox_event())
        log.debug("orders hook: %s %s %s", note.order_id, note.state, "stored" if stored else "duplicate")
        return 200, {"stored": stored}


def create_app(receiver: Receiver | None = None) -> FastAPI:
    """The receiver app: ``POST /`` takes notifications and pings, ``GET /health`` answers ok."""
    receiver = receiver or Receiver()
    app = FastAPI(title="VTEX orders hook receiver", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.receiver = receiver

    @app.post("/")
    async def notify(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        from starlette.concurrency import run_in_threadpool

        status, answer = await run_in_threadpool(receiver.receive, request.headers, body)
        return JSONResponse(answer, status_code=status)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


app = create_app()
