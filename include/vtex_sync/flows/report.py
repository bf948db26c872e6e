"""One-line summaries a data engineer can read in a task log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ORDER = ("planned", "created", "updated", "unchanged", "quarantined", "waiting_parent", "failed", "calls")
LABELS = {"waiting_parent": "waiting on parent"}


# the counts that mean a run did (or could not do) something; "planned", "unchanged" and
# "calls" alone mean it had nothing to do
WORK = ("created", "updated", "quarantined", "waiting_parent", "failed")


def had_work(counts: Mapping[str, int]) -> bool:
    """True when a record was written, quarantined, left waiting or failed."""
    return any(counts.get(key, 0) for key in WORK)


def nothing_to_do(what: str, counts: Mapping[str, int]) -> str:
    """The one line of a run (or step) with nothing to write."""
    planned = counts.get("planned", 0)
    read = f"{planned:,} record(s) read, all unchanged" if planned else "no ERP row changed"
    return f"{what}: nothing to do ({read})"


def format_counts(counts: Mapping[str, int]) -> str:
    """``planned 1,204 | created 12 | updated 340 | unchanged 850 | quarantined 2 | ...``"""
    keys = [k for k in ORDER if k in counts or k in ORDER[:6]] + sorted(set(counts) - set(ORDER))
    return " | ".join(f"{LABELS.get(k, k)} {counts.get(k, 0):,}" for k in keys)


def parts(outcome: Mapping[str, Any]) -> dict[str, Mapping[str, int]]:
    """A task result's counts by entity: a step that writes several entities (SKUs and their
    EANs, docks and warehouses) has one part each (``by_entity``), any other step one."""
    return dict(outcome.get("by_entity") or {outcome["entity"]: outcome.get("counts") or {}})


def merge(outcomes: Iterable[Mapping[str, Any] | None]) -> dict[str, dict[str, int]]:
    """Per-entity totals from task results (``{"entity", "counts"}`` dicts, e.g. mapped batches)."""
    totals: dict[str, dict[str, int]] = {}
    for outcome in outcomes:
        if not outcome:
            continue
        for entity, counts in parts(outcome).items():
            entity_totals = totals.setdefault(entity, {})
            for key, value in counts.items():
                entity_totals[key] = entity_totals.get(key, 0) + value
    return totals


def table(totals: Mapping[str, Mapping[str, int]]) -> str:
    """A fixed-width per-entity table for the end of a run."""
    columns = ("created", "updated", "unchanged", "quarantined", "waiting_parent", "failed")
    head = f"{'entity':<24}" + "".join(f"{LABELS.get(c, c):>18}" for c in columns)
    lines = [head, "-" * len(head)]
    for entity, counts in totals.items():
        lines.append(f"{entity:<24}" + "".join(f"{counts.get(c, 0):>18,}" for c in columns))
    return "\n".join(lines)
