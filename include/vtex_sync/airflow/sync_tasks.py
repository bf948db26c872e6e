"""What the incremental sync DAGs' tasks call: window from the watermark and the data interval
(`vtex_sync.flows.watermark`), run, summarise, move the watermark."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from vtex_sync.airflow.connections import build_context, load_settings
from vtex_sync.airflow.tasks import fail_if_too_many, failure_threshold
from vtex_sync.flows import watermark
from vtex_sync.flows.watermark import RunKind

log = logging.getLogger(__name__)


def asset_uri(account: str, flow: str) -> str:
    """The Airflow Asset a successful run of `flow` updates, e.g. ``vtex://mystore/catalog``."""
    return f"vtex://{account}/{flow}"


def run_sync(
    flow: str,
    params: Mapping[str, Any],
    *,
    start: datetime,
    end: datetime,
    run_id: str = "manual",
    kind: RunKind = RunKind.SCHEDULED,
) -> dict[str, Any]:
    """Run one incremental flow (``catalog``, ``prices`` or ``inventory``) over a data interval.

    Returns a small summary: account, window, per-entity counts and the number of failures.
    A plan that goes past the blast-radius limits fails the task without retrying, unless
    ``params["confirm_blast_radius"]`` is true.
    """
    from airflow.sdk.exceptions import AirflowFailException

    from vtex_sync.flows.guard import BlastRadiusExceeded
    from vtex_sync.flows.incremental import FLOWS, total_counts
    from vtex_sync.flows.report import format_counts

    settings = load_settings()
    ctx = build_context(settings=settings)
    window = watermark.window_for(ctx.state, ctx.account, flow, start=start, end=end, kind=kind,
                                  overlap=timedelta(minutes=settings.overlap_minutes))
    log.info("%s: syncing ERP changes with updated_at in %s, plus pending records", flow, window)
    try:
        outcomes = FLOWS[flow](ctx, window, confirm=bool(params.get("confirm_blast_radius")))
    except BlastRadiusExceeded as error:
        raise AirflowFailException(str(error)) from error
    totals = total_counts(outcomes)
    log.info("%s: total %s", flow, format_counts(totals))
    summary = {
        "account": ctx.account,
        "flow": flow,
        "window": [edge.isoformat() if edge else None for edge in (window.since, window.until)],
        "entities": {o.entity: dict(o.counts) for o in outcomes},
        "failures": int(totals.get("failed", 0)),
    }
    ctx.state.record_run(ctx.account, f"{flow}_sync", run_id, summary)
    threshold = failure_threshold(params, settings)
    fail_if_too_many(f"{flow} sync", int(totals.get("failed", 0)), threshold, summary)
    watermark.advance(ctx.state, ctx.account, flow, window, kind)
    return summary
