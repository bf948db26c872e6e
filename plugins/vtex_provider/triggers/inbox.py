"""Wake the order processing as soon as a new event is stored in the order inbox.

``InboxEventTrigger`` is the trigger of the ``vtex_orders_inbox`` asset's watcher (Airflow's
event-driven scheduling). It runs in the triggerer and polls the state store's inbox (a cheap
indexed aggregate every ``poll_seconds``); whenever pending events newer than the last ones it
reported exist, it fires one event, which marks the asset updated and queues a run of the DAG
scheduled on it. A (re)started trigger fires once if anything is pending, so events stored while
the triggerer was down are not forgotten, and it fires again while events stay pending for
``refire_seconds`` (an event committed late with an older timestamp, a run that failed). It reads
only the state store; it never calls VTEX.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

log = logging.getLogger(__name__)


def pending_summary(engine: Any, account: str) -> tuple[int, datetime | None]:
    """(pending events, newest received_at among them) of `account`'s inbox."""
    from sqlalchemy import func, select

    from vtex_sync.state import tables as t

    i = t.inbox.c
    with engine.connect() as conn:
        count, newest = conn.execute(
            select(func.count(), func.max(i.received_at)).where(i.account == account, i.status == "pending")
        ).one()
    return int(count or 0), newest


class InboxEventTrigger(BaseEventTrigger):
    """Fires when the order inbox holds pending events newer than those it last reported."""

    def __init__(self, *, state_conn_id: str = "vtex_state", vtex_conn_id: str = "vtex_default",
                 poll_seconds: float = 1.0, refire_seconds: float = 30.0) -> None:
        super().__init__()
        self.state_conn_id = state_conn_id
        self.vtex_conn_id = vtex_conn_id
        self.poll_seconds = poll_seconds
        self.refire_seconds = refire_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}",
                {"state_conn_id": self.state_conn_id, "vtex_conn_id": self.vtex_conn_id,
                 "poll_seconds": self.poll_seconds, "refire_seconds": self.refire_seconds})

    async def _resolve(self) -> tuple[str, str]:
        """(state store URL, account), from the connections (password never logged)."""
        from airflow.sdk import BaseHook

        from vtex_sync.db import url_with_password
        from vtex_sync.state.factory import DEFAULT_STATE_URL

        url = None
        try:
            state = await BaseHook.aget_connection(self.state_conn_id)
            if state.extra_dejson.get("url"):
                url = url_with_password(state.extra_dejson["url"], state.password)
        except Exception:  # no such connection: the same fallbacks as the state store factory
            state = None
        vtex = await BaseHook.aget_connection(self.vtex_conn_id)
        account = vtex.extra_dejson.get("account_name") or ""
        return url or os.environ.get("VTEX_STATE_URL") or DEFAULT_STATE_URL, account

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from vtex_sync.db import make_engine

        url, account = await self._resolve()
        engine = make_engine(url, immediate=False)  # a read: never take SQLite's write lock
        reported: datetime | None = None
        fired_at = 0.0
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    count, newest = await asyncio.to_thread(pending_summary, engine, account)
                except Exception as exc:  # the store is away for a moment: keep watching
                    log.warning("order inbox not readable: %s", type(exc).__name__)
                    count, newest = 0, None
                fresh = newest is not None and (reported is None or newest > reported)
                stale = loop.time() - fired_at >= self.refire_seconds
                if count and newest is not None and (fresh or stale):
                    reported, fired_at = max(newest, reported or newest), loop.time()
                    yield TriggerEvent({"pending": count, "newest": newest.isoformat()})
                await asyncio.sleep(self.poll_seconds)
        finally:
            engine.dispose()
