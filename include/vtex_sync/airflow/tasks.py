"""What the loading DAGs' tasks call: build the context, run one step, return a small summary."""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException

from vtex_sync import metrics
from vtex_sync.airflow.connections import build_context, load_settings
from vtex_sync.context import SyncSettings
from vtex_sync.entities import CUSTOMER_GROUP
from vtex_sync.flows import report, watermark
from vtex_sync.flows.runner import Batch, Window
from vtex_sync.flows.watermark import RunKind
from vtex_sync.steps import BY_NAME, in_step_order

log = logging.getLogger(__name__)


class RecordsFailed(AirflowException):
    """More records failed than the run allows: the task fails (Airflow may retry it; the next
    attempt only re-sends what did not land). `result` is the task's summary."""

    def __init__(self, step: str, failed: int, threshold: int, result: dict[str, Any]) -> None:
        self.step, self.failed, self.threshold, self.result = step, failed, threshold, result
        super().__init__(f"{step}: {failed:,} record(s) failed, more than the allowed {threshold:,} "
                         "(every failure is logged above with its ERP key, VTEX call and reason; "
                         "raise max_failed_records to tolerate some)")


def failure_threshold(params: Mapping[str, Any], settings: SyncSettings) -> int:
    """Param ``max_failed_records`` of this run, else the setting (default 0)."""
    value = params.get("max_failed_records")
    return settings.max_failed_records if value is None else int(value)


def fail_if_too_many(step: str, failed: int, threshold: int, result: dict[str, Any]) -> None:
    if failed > threshold:
        raise RecordsFailed(step, failed, threshold, result)


def current_run_id() -> str | None:
    """The Airflow run this task belongs to (None outside a task)."""
    try:
        from airflow.sdk import get_current_context

        return str(get_current_context()["run_id"])
    except Exception:  # no task context (plain Python)
        return None


def selected(step: str, params: Mapping[str, Any]) -> bool:
    chosen = params.get("entities") or []
    return not chosen or step in chosen


def plan_batches(step: str, params: Mapping[str, Any]) -> list[list[Any]]:
    """``[index, count, low, high]`` per batch of a batched step (the ERP table's rows /
    batch_size, cut at first-key values), or ``[index, count]`` for an ERP without key ranges."""
    if not selected(step, params):
        return [[0, 1]]
    from vtex_sync.bulk.flow import batch_rows
    from vtex_sync.erp import erp_from_connection

    settings = load_settings()
    size = int(params.get("batch_size") or settings.batch_size)
    erp = erp_from_connection()
    rows = erp.count(BY_NAME[step].table)
    size = batch_rows(step, rows, size, settings)
    count = max(1, math.ceil(rows / size))
    if count > 1 and hasattr(erp, "key_bounds"):
        # key ranges: each batch reads only its slice of the table (and of its detail tables)
        cuts = erp.key_bounds(BY_NAME[step].table, count)
        edges: list[str | None] = [None, *cuts, None]
        count = len(cuts) + 1
        log.info("%s: %s ERP rows in %s key-range batch(es) of about %s", step, f"{rows:,}", count, size)
        return [[index, count, edges[index], edges[index + 1]] for index in range(count)]
    log.info("%s: %s ERP rows in %s batch(es) of up to %s", step, f"{rows:,}", count, size)
    return [[index, count] for index in range(count)]


def run_step(
    step: str, params: Mapping[str, Any], *, batch: list[Any] | None = None, window: Window | None = None
) -> dict[str, Any]:
    """Run one step (or batch ``[index, count]`` of it); return its counts, failures and retries."""
    from vtex_sync.flows.guard import BlastRadiusExceeded
    from vtex_sync.flows.setup import STEP_FUNCTIONS

    if not selected(step, params):
        log.info("%s: not selected in this run's entities, nothing to do", step)
        return {"entity": step, "counts": {}, "failures": []}
    ctx = build_context(dry_run=bool(params.get("dry_run")), settings=load_settings())
    ctx.run_key = current_run_id()
    if ctx.dry_run:
        log.info("%s: dry run, planning only (no write calls)", step)
    part = Batch(*batch) if batch else None
    ctx.confirm_blast_radius = bool(params.get("confirm_blast_radius"))  # checked on each plan
    started = time.monotonic()
    try:
        outcome = STEP_FUNCTIONS[step](ctx, batch=part, window=window)
    except BlastRadiusExceeded as error:
        raise AirflowFailException(str(error)) from error
    result = outcome.as_dict()
    result["entity"] = step
    stats = ctx.hook.stats
    result["retries"] = dict(stats.retries)
    flow = "customers_import" if BY_NAME[step].group == CUSTOMER_GROUP else "initial_setup"
    metrics.record_outcome(flow, step, result["counts"], retries=result["retries"],
                           seconds=time.monotonic() - started)
    if stats.retries:
        retried = ", ".join(f"{reason}: {n}" for reason, n in sorted(stats.retries.items()))
        log.info("%s: retried %s (waited %.1fs)", step, retried, stats.waited_seconds)
    fail_if_too_many(step, outcome.counts.get("failed", 0), failure_threshold(params, ctx.settings), result)
    return result


def sweep_duplicates(params: Mapping[str, Any]) -> dict[str, Any]:
    """Report records VTEX holds twice; with param ``remove_duplicates`` retire the extra copies."""
    from vtex_sync.flows.duplicates import sweep

    ctx = build_context(dry_run=bool(params.get("dry_run")), settings=load_settings())
    found = sweep(ctx, remove=bool(params.get("remove_duplicates")))
    return {"duplicates": len(found), "by_action": dict(Counter(d.action.value for d in found)),
            "sample": [d.__dict__ | {"action": d.action.value} for d in found[:20]]}


def overlapping(start: datetime, end: datetime, settings: SyncSettings) -> Window:
    """The data interval, opened ``overlap_minutes`` earlier so late commits are not missed."""
    return Window(start - timedelta(minutes=settings.overlap_minutes), end)


def interval_window(
    start: datetime | None,
    end: datetime | None,
    params: Mapping[str, Any],
    *,
    watermark_of: str | None = None,
    kind: RunKind = RunKind.MANUAL,
) -> Window | None:
    """The run's data interval widened by the overlap, or everything when ``full`` is set. With
    `watermark_of` (a flow), a scheduled or manual run reads from that flow's last synced point
    instead (`vtex_sync.flows.watermark`); a backfill reads exactly its interval."""
    if params.get("full") or start is None or end is None:
        return None
    settings = load_settings()
    if watermark_of is None:
        return overlapping(start, end, settings)
    ctx = build_context(settings=settings)
    return watermark.window_for(ctx.state, ctx.account, watermark_of, start=start, end=end, kind=kind,
                                overlap=timedelta(minutes=settings.overlap_minutes))


def advance_watermark(flow: str, end: datetime | None, params: Mapping[str, Any], kind: RunKind) -> None:
    """After a successful run (not a dry run) up to `end`: `flow` is synced up to there."""
    if end is None or params.get("dry_run"):
        return
    ctx = build_context(settings=load_settings())
    watermark.advance(ctx.state, ctx.account, flow, Window(None, end), kind)


def summarise(
    results: Iterable[Mapping[str, Any] | Iterable[Mapping[str, Any]]],
    *,
    flow: str,
    run_id: str,
    params: Mapping[str, Any],
) -> dict[str, Any]:
    """Per-entity totals of a run: logged as a table and kept in the state store."""
    flat: list[Mapping[str, Any]] = []
    for item in results:
        if isinstance(item, Mapping):
            flat.append(item)
        else:
            flat.extend(item)
    totals = in_step_order(report.merge(flat))
    retries: dict[str, int] = {}
    by_entity: dict[str, dict[str, int]] = {}
    for item in flat:
        for reason, n in (item.get("retries") or {}).items():
            retries[reason] = retries.get(reason, 0) + n
            entity = by_entity.setdefault(item["entity"], {})
            entity[reason] = entity.get(reason, 0) + n
    failures = [f | {"entity": item["entity"]} for item in flat for f in item.get("failures", [])]
    failed = sum(counts.get("failed", 0) for counts in totals.values())  # every one, not the sample
    log.info(
        "%s run %s%s:\n%s", flow, run_id, " (dry run)" if params.get("dry_run") else "", report.table(totals)
    )
    if retries:
        log.info("retried calls: %s", ", ".join(f"{k}: {v}" for k, v in sorted(retries.items())))
    for failure in failures[:50]:
        log.warning(
            "failed %s %s: %s -> %s", failure["entity"], failure["key"], failure["call"], failure["reason"]
        )
    summary = {
        "totals": totals,
        "retries": retries,
        "retries_by_entity": by_entity,
        "failures": failed,
        "dry_run": bool(params.get("dry_run")),
    }
    ctx = build_context(dry_run=True)
    ctx.state.record_run(ctx.account, flow, run_id, summary)
    return summary
