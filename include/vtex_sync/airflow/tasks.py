"""What the loading DAGs' tasks call: build the context, run one step, return a small summary."""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from vtex_sync import metrics
from vtex_sync.airflow.connections import build_context, load_settings
from vtex_sync.context import SyncSettings
from vtex_sync.entities import ALL_STEPS, CUSTOMER_GROUP, ENTITIES, Flow
from vtex_sync.flows import report, watermark
from vtex_sync.flows.runner import Batch, Window
from vtex_sync.flows.watermark import RunKind
from vtex_sync.steps import BY_NAME, in_step_order

log = logging.getLogger(__name__)
PACE_MAX_AGE = timedelta(minutes=2)  # an older pace says little of a route's limit now


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


def skip_unless_selected(step: str, params: Mapping[str, Any]) -> None:
    """A task of a step the run's ``entities`` leave out ends skipped (shown so in the grid)."""
    if not selected(step, params):
        raise AirflowSkipException(f"{step}: left out of this run (param entities)")


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
        with shared_pace(ctx, step):
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
    log_retries(step, stats.retries, stats.waited_seconds)
    if not report.had_work(result["counts"]):
        log.info("%s", report.nothing_to_do(step, result["counts"]))
    fail_if_too_many(step, outcome.counts.get("failed", 0), failure_threshold(params, ctx.settings), result)
    return result


@contextmanager
def shared_pace(ctx: Any, step: str) -> Iterator[None]:
    """The tasks of a step share what they learn of its route's limit (Catalog answers carry no
    rate-limit headers, only 429s): a task starts at the pace the last one ended at, if saved
    within `PACE_MAX_AGE`, and leaves its own for the next."""
    remembered = None if ctx.dry_run else ctx.state.pace(ctx.account, step, PACE_MAX_AGE)
    if remembered is not None:
        ctx.hook.resume_pace(*remembered)
    try:
        yield
    finally:
        learnt = ctx.hook.pace()
        if learnt is not None and not ctx.dry_run:
            ctx.state.save_pace(ctx.account, step, *learnt)


def log_retries(what: str, retries: Mapping[str, int], waited: float) -> None:
    """The one line of a step that had to retry calls, by reason (each retry is at DEBUG)."""
    if retries:
        retried = ", ".join(f"{reason}: {n}" for reason, n in sorted(retries.items()))
        log.info("%s: retried %s call(s) (%s; waited %.1fs)", what, f"{sum(retries.values()):,}", retried,
                 waited)


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


def task_states(context: Mapping[str, Any], task_ids: Sequence[str]) -> dict[tuple[str, int], str]:
    """``(task_id, map_index) -> state`` of `task_ids` in the current run (map index -1 for an
    unmapped task), as Airflow's task states say; empty where they cannot be read."""
    ti = context["ti"]
    try:
        found = ti.get_task_states(dag_id=ti.dag_id, task_ids=list(task_ids), run_ids=[ti.run_id])
    except Exception as error:  # no supervisor to ask (plain Python)
        log.debug("task states unavailable: %s", error)
        return {}
    states: dict[tuple[str, int], str] = {}
    for name, state in (found.get(ti.run_id) or {}).items():
        task_id, _, index = name.rpartition("_")
        if name not in task_ids and task_id in task_ids and index.isdigit():
            states[(task_id, int(index))] = str(state)
        else:
            states[(name, -1)] = str(state)
    return states


def step_results(context: Mapping[str, Any], task_ids: Sequence[str]) -> tuple[list[Any], list[str]]:
    """The results of the step tasks `task_ids` of the current run (from those that ran: a task
    failed on its records pushed its counts first) and the tasks that failed (``task_id`` or
    ``task_id[map index]``). Tasks that never ran are not read."""
    ti = context["ti"]
    results: list[Any] = []
    failed: list[str] = []
    for (task_id, index), state in sorted(task_states(context, task_ids).items()):
        if state == "failed":
            failed.append(task_id if index < 0 else f"{task_id}[{index}]")
        if state in ("success", "failed"):
            results.append(ti.xcom_pull(task_ids=task_id, map_indexes=None if index < 0 else index))
    return results, failed


def setup_flows(params: Mapping[str, Any]) -> list[Flow]:
    """The incremental flows whose every step an initial setup with `params` runs."""
    covered = []
    for flow in Flow:
        steps = [s.name for s in ALL_STEPS if any(ENTITIES[e].sync == flow for e in s.entities)]
        if steps and all(selected(step, params) for step in steps):
            covered.append(flow)
    return covered


def advance_setup_watermarks(params: Mapping[str, Any], started: datetime | None) -> list[str]:
    """After a successful initial setup that started at `started` (not a dry run): the flows it
    covered are synced up to that point (never moved back). Returns the flows moved."""
    if params.get("dry_run") or started is None:
        return []
    ctx = build_context(settings=load_settings())
    flows = setup_flows(params)
    for flow in flows:
        watermark.advance(ctx.state, ctx.account, flow.value, Window(None, started), RunKind.MANUAL)
    log.info("initial setup started %s: %s synced up to there (their next runs read from it)",
             started.isoformat(), ", ".join(flows) or "no incremental flow")
    return [flow.value for flow in flows]


def summarise(
    results: Iterable[Mapping[str, Any] | Iterable[Mapping[str, Any] | None] | None],
    *,
    flow: str,
    run_id: str,
    params: Mapping[str, Any],
    failed_tasks: Iterable[str] = (),
) -> dict[str, Any]:
    """Per-entity totals of a run: logged as a table and kept in the state store. `results` may
    hold nothing for a task that did not run; `failed_tasks` are named (and kept)."""
    flat: list[Mapping[str, Any]] = []
    for item in results:
        if item is None:
            continue
        if isinstance(item, Mapping):
            flat.append(item)
        else:
            flat.extend(part for part in item if part)
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
    stopped = list(failed_tasks)
    if stopped:
        log.warning("%s task(s) failed: %s (their records are counted above; the run fails)",
                    len(stopped), ", ".join(stopped))
    summary = {
        "totals": totals,
        "retries": retries,
        "retries_by_entity": by_entity,
        "failures": failed,
        "failed_tasks": stopped,
        "dry_run": bool(params.get("dry_run")),
    }
    ctx = build_context(dry_run=True)
    ctx.state.record_run(ctx.account, flow, run_id, summary)
    return summary
