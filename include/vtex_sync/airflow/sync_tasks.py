"""What the incremental sync DAGs' tasks call: window from the watermark and the data interval
(`vtex_sync.flows.watermark`), run, summarise, move the watermark."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from vtex_sync import metrics
from vtex_sync.airflow.connections import build_context, load_settings
from vtex_sync.airflow.tasks import fail_if_too_many, failure_threshold, log_retries
from vtex_sync.db import utcnow
from vtex_sync.flows import watermark
from vtex_sync.flows.runner import Window
from vtex_sync.flows.watermark import RunKind

log = logging.getLogger(__name__)


def asset_uri(account: str, flow: str) -> str:
    """The Airflow Asset a successful run of `flow` updates, e.g. ``vtex://mystore/catalog``."""
    return f"vtex://{account}/{flow}"


def guard_fix(error: Exception, window: Window, dag_id: str) -> str:
    """The guard's stop with the fix to apply: backfill the window's interval with the override
    (a backfill re-reads exactly that interval; the watermark stays where it is)."""
    since = window.since.isoformat() if window.since else "the start"
    until = (window.until or utcnow()).isoformat()
    reasons = "; ".join(str(b) for b in getattr(error, "breaches", ())) or str(error)
    return (f"{dag_id}: the blast-radius guard stopped the run before writing anything ({reasons}). "
            f"If the change is intended, backfill {since} .. {until} with confirm_blast_radius: true: "
            f"airflow backfill create --dag-id {dag_id} --from-date {since} --to-date {until} "
            "--reprocess-behavior completed --dag-run-conf '{\"confirm_blast_radius\": true}' "
            "(or Trigger -> Backfill in the UI with that conf)")


def run_sync(
    flow: str,
    params: Mapping[str, Any],
    *,
    start: datetime,
    end: datetime,
    run_id: str = "manual",
    ask_approval: bool = False,
    approved: Sequence[Mapping[str, Any]] | None = None,
    kind: RunKind = RunKind.SCHEDULED,
    dag_id: str | None = None,
) -> dict[str, Any]:
    """Run one incremental flow (``catalog``, ``prices`` or ``inventory``) over a data interval.

    Returns a small summary: account, window, per-entity counts and the number of failures.
    A plan that goes past the blast-radius limits fails the task without retrying, unless
    ``params["confirm_blast_radius"]`` is true; with `ask_approval` it writes nothing and returns
    ``{"blocked": [breach, ...]}`` for an operator to approve; `approved` (those breaches) lets
    the run write while it stays within them. A stop names the interval to backfill with the
    override (`dag_id`: the DAG to name in it).
    """
    from airflow.sdk.exceptions import AirflowFailException

    from vtex_sync.flows.guard import BlastRadiusExceeded, Breach, Confirmation
    from vtex_sync.flows.incremental import FLOWS, total_counts
    from vtex_sync.flows.report import format_counts, had_work, merge, nothing_to_do
    from vtex_sync.steps import in_step_order

    settings = load_settings()
    ctx = build_context(settings=settings)
    window = watermark.window_for(ctx.state, ctx.account, flow, start=start, end=end, kind=kind,
                                  overlap=timedelta(minutes=settings.overlap_minutes))
    log.debug("%s: syncing ERP changes with updated_at in %s, plus pending records", flow, window)
    started = time.monotonic()
    confirm: Confirmation = bool(params.get("confirm_blast_radius"))
    if approved and not confirm:
        confirm = [Breach.from_dict(b) for b in approved]
    try:
        outcomes = FLOWS[flow](ctx, window, confirm=confirm)
    except BlastRadiusExceeded as error:
        if ask_approval and not approved:
            log.warning("%s: waiting for an operator's approval: %s", flow, error)
            return {"account": ctx.account, "flow": flow, "blocked": [b.as_dict() for b in error.breaches]}
        raise AirflowFailException(guard_fix(error, window, dag_id or f"the {flow} sync")) from error
    totals = total_counts(outcomes)
    stats = ctx.hook.stats
    retries = dict(stats.retries)
    if had_work(totals):
        log.info("%s: rows updated in %s: %s", flow, window, format_counts(totals))
    else:
        log.info("%s", nothing_to_do(f"{flow}: rows updated in {window}", totals))
    log_retries(f"{flow} sync", retries, stats.waited_seconds)
    summary = {
        "account": ctx.account,
        "flow": flow,
        "window": [edge.isoformat() if edge else None for edge in (window.since, window.until)],
        "entities": in_step_order(merge(o.as_dict() for o in outcomes)),
        "failures": int(totals.get("failed", 0)),
        "retries": retries,
    }
    for outcome in outcomes:
        metrics.record_outcome(f"{flow}_sync", outcome.entity, outcome.counts)
    metrics.record_outcome(f"{flow}_sync", "all", {}, retries=retries, seconds=time.monotonic() - started)
    ctx.state.record_run(ctx.account, f"{flow}_sync", run_id, summary)
    threshold = failure_threshold(params, settings)
    fail_if_too_many(f"{flow} sync", int(totals.get("failed", 0)), threshold, summary)
    watermark.advance(ctx.state, ctx.account, flow, window, kind)
    return summary
