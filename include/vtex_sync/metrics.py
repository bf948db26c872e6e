"""Counters, gauges and timings per flow and entity, through Airflow's metrics.

They go wherever ``[metrics]`` sends Airflow's own (StatsD, Datadog or OpenTelemetry), under the
``statsd_prefix`` (``airflow.`` by default); with none configured they cost nothing. Names carry
flow and entity (plain StatsD has no tags); tags carry them too, for backends that have tags.
The list of names is in docs/metrics.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

log = logging.getLogger(__name__)

OUTCOMES = ("created", "updated", "unchanged", "quarantined", "waiting_parent", "failed")
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def _part(value: str) -> str:
    return _UNSAFE.sub("_", str(value)) or "_"


def name(*parts: str) -> str:
    """``vtex.<part>.<part>...`` with each part made safe for a metric name."""
    return ".".join(("vtex", *(_part(p) for p in parts)))


def _stats() -> Any:
    from airflow.sdk.observability import stats

    return stats


def record_outcome(
    flow: str,
    entity: str,
    counts: Mapping[str, int],
    *,
    retries: Mapping[str, int] | None = None,
    seconds: float | None = None,
) -> None:
    """One step's results: records by outcome, calls, 429s and other retries, and how long it took."""
    try:
        stats = _stats()
        tags = {"flow": flow, "entity": entity}
        for outcome in OUTCOMES:
            if counts.get(outcome):
                stats.incr(
                    name("records", flow, entity, outcome),
                    count=int(counts[outcome]),
                    tags=tags | {"outcome": outcome},
                )
        if counts.get("calls"):
            stats.incr(name("calls", flow, entity), count=int(counts["calls"]), tags=tags)
        for reason, n in (retries or {}).items():
            metric = name("rate_limited", flow, entity) if reason == "429" else name("retries", flow, entity)
            stats.incr(metric, count=int(n), tags=tags | {"reason": reason})
        if seconds is not None:
            stats.timing(name("duration", flow, entity), timedelta(seconds=seconds), tags=tags)
    except Exception:  # metrics never fail a sync
        log.warning("could not emit metrics for %s %s", flow, entity, exc_info=True)


def gauge(value: float, *parts: str, **tags: str) -> None:
    """A level, e.g. ``gauge(12, "inbox", "backlog", account="shop")``."""
    try:
        _stats().gauge(name(*parts), value, tags=tags or None)
    except Exception:
        log.warning("could not emit gauge %s", name(*parts), exc_info=True)
