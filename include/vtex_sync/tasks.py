"""What the DAGs' tasks call: build the context, run one step, return a small summary."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

from vtex_sync import metrics
from vtex_sync.context import SyncSettings, build_context
from vtex_sync.entities import CUSTOMER_GROUP
from vtex_sync.flows import report
from vtex_sync.steps import BY_NAME, in_step_order

log = logging.getLogger(__name__)


def load_settings() -> SyncSettings:
    """The ``vtex_sync_settings`` Airflow variable, or the defaults when it is absent."""
    from airflow.sdk import Variable

    try:
        values = Variable.get("vtex_sync_settings", default=None, deserialize_json=True)
    except Exception:  # no Airflow context (plain Python): defaults
        values = None
    return SyncSettings.from_mapping(values)


def selected(step: str, params: Mapping[str, Any]) -> bool:
    chosen = params.get("entities") or []
    return not chosen or step in chosen


def plan_batches(step: str, params: Mapping[str, Any]) -> list[list[int]]:
    """``[index, count]`` per batch of a batched step: the ERP table's rows / batch_size."""
    if not selected(step, params):
        return [[0, 1]]
    from vtex_sync.erp import erp_from_connection

    size = int(params.get("batch_size") or load_settings().batch_size)
    rows = erp_from_connection().count(BY_NAME[step].table)
    count = max(1, math.ceil(rows / size))
    log.info("%s: %s ERP rows in %s batch(es) of up to %s", step, f"{rows:,}", count, size)
    return [[index, count] for index in range(count)]


def run_step(
    step: str, params: Mapping[str, Any], *, batch: list[int] | None = None, window: Any = None
) -> dict[str, Any]:
    """Run one step (or batch ``[index, count]`` of it); return its counts, failures and retries."""
    from vtex_sync.flows.runner import Batch
    from vtex_sync.flows.setup import STEP_FUNCTIONS

    if not selected(step, params):
        log.info("%s: not selected in this run's entities, nothing to do", step)
        return {"entity": step, "counts": {}, "failures": []}
    ctx = build_context(dry_run=bool(params.get("dry_run")), settings=load_settings())
    if ctx.dry_run:
        log.info("%s: dry run, planning only (no write calls)", step)
    part = Batch(*batch) if batch else None
    started = time.monotonic()
    outcome = STEP_FUNCTIONS[step](ctx, batch=part, window=window)
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
    return result


def interval_window(context: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """The run's data interval widened by the overlap, or everything when ``full`` is set."""
    from datetime import timedelta

    from vtex_sync.flows.runner import Window

    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if params.get("full") or start is None or end is None:
        return None
    overlap = timedelta(minutes=load_settings().overlap_minutes)
    return Window(start - overlap, end)


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
        "failures": len(failures),
        "dry_run": bool(params.get("dry_run")),
    }
    ctx = build_context(dry_run=True)
    ctx.state.record_run(ctx.account, flow, run_id, summary)
    return summary
