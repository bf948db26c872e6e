"""Drift reports: counts and examples per entity, kept in the state store's run summaries.

A report is stored as the summary of flow ``reconcile`` (one per run, so the history is the
drift over time). When each drifted record was first seen is kept across runs in flow
``drift_open`` (one summary per entity, ``{key: first seen}``), so a report can say since when.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from vtex_sync.db import utcnow
from vtex_sync.drift.reconcile import Drifted, EntityCheck
from vtex_sync.flows.runner import Batch

REPORT_FLOW = "reconcile"
OPEN_FLOW = "drift_open"
MAX_EXAMPLES = 20
MAX_OPEN = 10_000  # first-seen stamps kept per entity; beyond, a record counts as new each run


class Cause(StrEnum):
    """Which side moved since the last successful push."""

    ERP_NOT_SYNCED = "ERP change not in VTEX"
    CHANGED_IN_VTEX = "changed in VTEX"


def cause_of(record: Drifted) -> Cause:
    """A late or missed ERP change when the ERP's version is not the one last pushed."""
    return Cause.ERP_NOT_SYNCED if record.erp_changed else Cause.CHANGED_IN_VTEX


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _slice_key(key: str) -> str:
    return key.split("|", 1)[0]


def first_seen(state: Any, account: str, entity: str) -> dict[str, str]:
    """``{erp key: ISO time it was first seen drifted}`` of the records still drifted."""
    for run in state.runs(account, OPEN_FLOW, limit=100):
        if run.run_id == entity:
            return dict(run.summary)
    return {}


def update_first_seen(
    state: Any, account: str, check: EntityCheck, part: Batch, now: datetime
) -> dict[str, str]:
    """Keep the stamps of records outside the slice, drop the ones no longer drifted, add new ones."""
    before = first_seen(state, account, check.entity)
    kept = {k: v for k, v in before.items() if not part.holds(_slice_key(k))}
    for record in check.drifted:
        if len(kept) >= MAX_OPEN:
            break
        kept[record.key] = before.get(record.key, now.isoformat())
    state.record_run(account, OPEN_FLOW, check.entity, kept)
    return kept


def entity_report(check: EntityCheck, since: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """Counts, drift by field and the first examples (ERP value, VTEX value, since when)."""
    fields: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    for record in check.drifted:
        for drift in record.fields:
            fields[drift.field.split("[", 1)[0]] += 1
            if len(examples) < MAX_EXAMPLES:
                examples.append(
                    {
                        "key": record.key,
                        "vtex_id": record.vtex_id,
                        **drift.as_dict(),
                        "since": since.get(record.key, now.isoformat()),
                        "cause": str(cause_of(record)),
                        "erp_updated_at": _iso(record.erp_updated_at),
                        "last_pushed_at": _iso(record.pushed_at),
                    }
                )
    return {
        "total": check.total,
        "checked": check.checked,
        "drifted": len(check.drifted),
        "not_in_vtex": check.not_in_vtex,
        "unreadable": check.unreadable,
        "fields": dict(fields.most_common()),
        "examples": examples,
    }


def build_part(state: Any, account: str, checks: list[EntityCheck], part: Batch) -> dict[str, Any]:
    """The report of one reconcile task (its entities), with first-seen stamps updated."""
    now = utcnow()
    entities = {}
    for check in checks:
        since = update_first_seen(state, account, check, part, now)
        entities[check.entity] = entity_report(check, since, now)
    return {"at": now.isoformat(), "slice": [part.index, part.count], "entities": entities}


def merge_parts(parts: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One report from the tasks' parts, with totals across entities."""
    entities: dict[str, Any] = {}
    repaired: dict[str, Any] = {}
    for part in parts:
        entities.update(part.get("entities") or {})
        repaired.update(part.get("repaired") or {})
    slice_ = next((p["slice"] for p in parts if p.get("slice")), [0, 1])
    checked = sum(e["checked"] for e in entities.values())
    return {
        "at": max((p["at"] for p in parts if p.get("at")), default=utcnow().isoformat()),
        "slice": slice_,
        "checked": checked,
        "drifted": sum(e["drifted"] for e in entities.values()),
        "checked_share": round(1 / max(1, slice_[1]), 4),
        "entities": entities,
        "repaired": repaired,
    }


def store_report(state: Any, account: str, run_id: str, report: Mapping[str, Any]) -> None:
    state.record_run(account, REPORT_FLOW, run_id, report)


def latest_report(state: Any, account: str) -> tuple[str, datetime, dict[str, Any]] | None:
    runs = state.runs(account, REPORT_FLOW, limit=1)
    return (runs[0].run_id, runs[0].recorded_at, runs[0].summary) if runs else None


def history(state: Any, account: str, limit: int = 30) -> list[tuple[datetime, dict[str, int]]]:
    """Oldest first: when, and drifted records per entity (for a chart)."""
    runs = state.runs(account, REPORT_FLOW, limit=limit)
    return [
        (
            run.recorded_at,
            {name: e.get("drifted", 0) for name, e in (run.summary.get("entities") or {}).items()},
        )
        for run in reversed(runs)
    ]


class Slice:
    """Which part of the store a run checks: the logical date's day number modulo `count`."""

    @staticmethod
    def for_date(day: datetime, count: int) -> Batch:
        count = max(1, int(count))
        return Batch(day.date().toordinal() % count, count)
