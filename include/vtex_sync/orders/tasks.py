"""What the order DAGs' tasks call: build the context, run one phase, return a small summary."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from vtex_sync.airflow.connections import build_context


def _context(params: Mapping[str, Any]) -> Any:
    from vtex_sync.airflow.connections import load_settings

    return build_context(dry_run=bool(params.get("dry_run")), settings=load_settings())


def feed_config(params: Mapping[str, Any]) -> dict[str, Any]:
    from vtex_sync.orders.feed_config import configure_feed, show_feed_config

    ctx = _context(params)
    return configure_feed(ctx) if params.get("action") == "set" else show_feed_config(ctx)


def drain_feed(params: Mapping[str, Any]) -> dict[str, int]:
    from vtex_sync.orders.intake import drain_feed as drain

    return drain(_context(params), time_budget=float(params.get("feed_seconds") or 45))


def process_inbox(params: Mapping[str, Any]) -> dict[str, int]:
    from vtex_sync.orders.processing import process_inbox as process

    return process(_context(params), time_budget=float(params.get("process_seconds") or 240))


def feed_run(params: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The feed DAG's run: drain the feed and process the inbox concurrently."""
    from vtex_sync.orders.feed_run import drain_and_process

    return drain_and_process(_context(params), feed_seconds=float(params.get("feed_seconds") or 45),
                             process_seconds=float(params.get("process_seconds") or 240))


def inbox_run(params: Mapping[str, Any]) -> dict[str, int]:
    """The event-driven run: every pending inbox event, including those arriving meanwhile."""
    from vtex_sync.orders.feed_run import process_until_empty

    return process_until_empty(_context(params), time_budget=float(params.get("process_seconds") or 240),
                               linger_seconds=float(params.get("linger_seconds") or 0))


def hook_config(params: Mapping[str, Any]) -> dict[str, Any]:
    from vtex_sync.orders.hook_config import HookAction, run
    from vtex_sync.orders.hook_settings import hook_settings

    return run(_context(params), hook_settings(), HookAction(params.get("action") or "ensure"))


def reconcile(params: Mapping[str, Any], start: datetime, end: datetime) -> dict[str, int]:
    """Sweep ``[start - lookback, end)``: orders become ready a while after they are created."""
    from vtex_sync.orders.reconcile import reconcile_window

    ctx = _context(params)
    lookback = timedelta(hours=float(params.get("lookback_hours") or 0),
                         minutes=ctx.settings.overlap_minutes)
    return reconcile_window(ctx, start - lookback, end)


def fulfillment(params: Mapping[str, Any], kind: str) -> dict[str, int]:
    from vtex_sync.orders.fulfillment import run_kind

    return run_kind(_context(params), kind)


def record(flow: str, run_id: str, summary: Mapping[str, Any]) -> None:
    ctx = build_context(dry_run=True)
    ctx.state.record_run(ctx.account, flow, run_id, dict(summary))
