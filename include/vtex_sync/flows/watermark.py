"""Where an incremental run reads from: the last point synced, so no ERP change is lost between runs.

A scheduled (or manual) run reads the rows whose ``updated_at`` falls between the flow's
watermark (the end of the last successful run's window, kept in the state store) minus the
overlap, and the end of its data interval. An outage, a paused DAG or a skipped run therefore
only makes the next window longer. Without a watermark yet, the window is the data interval
minus the overlap. A backfill re-syncs exactly its interval and never moves the watermark; a
successful scheduled or manual run moves it forward (never back) to its window's end.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from vtex_sync.db import to_utc, utcnow
from vtex_sync.flows.runner import Window

log = logging.getLogger(__name__)


class RunKind(StrEnum):
    """The Airflow run types the window depends on."""

    SCHEDULED = "scheduled"
    MANUAL = "manual"
    BACKFILL = "backfill"
    ASSET_TRIGGERED = "asset_triggered"


class WatermarkStore(Protocol):
    def get_watermark(self, account: str, flow: str) -> datetime | None: ...

    def set_watermark(self, account: str, flow: str, value: datetime) -> None: ...


def run_kind(context: Mapping[str, Any]) -> RunKind:
    """The kind of the task's DAG run (manual when unknown, e.g. outside Airflow)."""
    dag_run = context.get("dag_run")
    value = getattr(dag_run, "run_type", None) or RunKind.MANUAL
    try:
        return RunKind(str(getattr(value, "value", value)))
    except ValueError:
        return RunKind.MANUAL


def window_for(
    state: WatermarkStore,
    account: str,
    flow: str,
    *,
    start: datetime | None,
    end: datetime | None,
    kind: RunKind,
    overlap: timedelta,
) -> Window:
    """The rows a run of `flow` reads (see the module docstring)."""
    until = to_utc(end) if end is not None else utcnow()
    since = to_utc(start) if start is not None else until
    if kind is RunKind.BACKFILL:
        return Window(since, until)
    mark = state.get_watermark(account, flow)
    if mark is not None and to_utc(mark) < since:
        log.info("%s: last synced up to %s; reading from there, not from the interval start %s",
                 flow, to_utc(mark).isoformat(), since.isoformat())
        since = to_utc(mark)
    return Window(since - overlap, until)


def advance(state: WatermarkStore, account: str, flow: str, window: Window, kind: RunKind) -> None:
    """After a successful run: the watermark moves to the window's end (not for backfills)."""
    if kind is RunKind.BACKFILL or window.until is None:
        return
    mark = state.get_watermark(account, flow)
    if mark is None or to_utc(mark) < window.until:
        state.set_watermark(account, flow, window.until)
