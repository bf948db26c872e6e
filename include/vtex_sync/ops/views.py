"""Read-only views of the state store for the operator's page (no write, no VTEX call)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from vtex_sync.ops.flows import FLOWS, FlowTarget
from vtex_sync.state import tables as t
from vtex_sync.state.store import QuarantineRecord

WRITES = ("created", "updated")


@dataclass(frozen=True)
class FlowHealth:
    target: FlowTarget
    last_run: str | None
    last_run_at: datetime | None
    last_clean_at: datetime | None  # last run without a failed record
    changed: int  # records created or updated by the last run
    failures: int
    age: timedelta | None

    @property
    def late(self) -> bool:
        fresh = self.target.freshness
        return fresh is not None and (self.age is None or self.age > fresh)


def changed_records(summary: Mapping[str, Any]) -> int:
    """Records created or updated, whatever the shape of the flow's summary."""
    per_entity = summary.get("entities") or summary.get("totals")
    if isinstance(per_entity, Mapping):
        return sum(int(c.get(k, 0)) for c in per_entity.values() if isinstance(c, Mapping) for k in WRITES)
    inbox = summary.get("inbox")
    if isinstance(inbox, Mapping):
        return int(inbox.get("done", 0))
    return int(summary.get("done", 0) or 0) + int(summary.get("drifted", 0) or 0)


def failures_of(summary: Mapping[str, Any]) -> int:
    value = summary.get("failures", 0)
    if isinstance(value, int):
        return value
    inbox = summary.get("inbox")
    return int(inbox.get("failed", 0)) if isinstance(inbox, Mapping) else 0


def flow_health(state: Any, account: str, now: datetime) -> list[FlowHealth]:
    result = []
    for target in FLOWS:
        runs = state.runs(account, target.flow, limit=20)
        last = runs[0] if runs else None
        clean = next((r for r in runs if failures_of(r.summary) == 0), None)
        result.append(
            FlowHealth(
                target,
                last.run_id if last else None,
                last.recorded_at if last else None,
                clean.recorded_at if clean else None,
                changed_records(last.summary) if last else 0,
                failures_of(last.summary) if last else 0,
                now - last.recorded_at if last else None,
            )
        )
    return result


def quarantine(
    state: Any, account: str, *, entity: str | None = None, rule: str | None = None, text: str | None = None
) -> list[QuarantineRecord]:
    """Open quarantine entries, filtered by table, rule and a text found in key, field or value."""
    needle = (text or "").strip().lower()
    return [
        q
        for q in state.open_quarantine(account, entity or None)
        if (not rule or q.rule == rule)
        and (not needle or any(needle in (v or "").lower() for v in (q.erp_key, q.field, q.value, q.message)))
    ]


@dataclass(frozen=True)
class Waiting:
    entity: str
    erp_key: str
    status: str
    message: str | None
    attempts: int
    since: datetime


def waiting(state: Any, account: str, limit: int = 500) -> list[Waiting]:
    """Records waiting on a parent, or whose last write failed, oldest first."""
    b = t.bindings.c
    stmt = (
        select(b.entity, b.erp_key, b.status, b.message, b.attempts, b.updated_at)
        .where(b.account == account, b.status.in_(("waiting_parent", "failed")))
        .order_by(b.updated_at, b.entity, b.erp_key)
        .limit(limit)
    )
    with state.engine.connect() as conn:
        return [Waiting(*row) for row in conn.execute(stmt).all()]


@dataclass(frozen=True)
class Inbox:
    by_status: dict[str, int]
    oldest_pending: datetime | None
    quarantined_orders: list[QuarantineRecord]

    @property
    def backlog(self) -> int:
        return self.by_status.get("pending", 0) + self.by_status.get("claimed", 0)


def inbox(state: Any, account: str) -> Inbox:
    i = t.inbox.c
    with state.engine.connect() as conn:
        counts = dict(
            conn.execute(select(i.status, func.count()).where(i.account == account).group_by(i.status)).all()
        )
        oldest = conn.execute(
            select(func.min(i.received_at)).where(i.account == account, i.status.in_(("pending", "claimed")))
        ).scalar()
    return Inbox({str(k): int(v) for k, v in counts.items()}, oldest, state.open_quarantine(account, "order"))


def accounts(state: Any) -> list[str]:
    """Accounts the store holds anything for."""
    found: set[str] = set()
    with state.engine.connect() as conn:
        for table in (t.runs, t.bindings, t.quarantine, t.inbox):
            found.update(conn.execute(select(table.c.account).distinct()).scalars())
    return sorted(found)


@dataclass(frozen=True)
class StepCalls:
    step: str
    calls: int
    rate_limited: int  # retries after a 429


def last_run_calls(state: Any, account: str) -> tuple[str | None, list[StepCalls]]:
    """Calls (and 429 retries) per step of the most recent catalog-side run that recorded them."""
    latest: tuple[datetime, str, Mapping[str, Any]] | None = None
    for flow in ("initial_setup", "catalog_sync", "prices_sync", "inventory_sync", "customers_import"):
        runs = state.runs(account, flow, limit=1)
        if runs and (latest is None or runs[0].recorded_at > latest[0]):
            latest = (runs[0].recorded_at, flow, runs[0].summary)
    if latest is None:
        return None, []
    _, flow, summary = latest
    per_entity = summary.get("totals") or summary.get("entities") or {}
    retries = summary.get("retries_by_entity") or {}
    steps = [
        StepCalls(name, int(counts.get("calls", 0)), int((retries.get(name) or {}).get("429", 0)))
        for name, counts in per_entity.items()
        if isinstance(counts, Mapping)
    ]
    if not retries and steps and (total := int((summary.get("retries") or {}).get("429", 0))):
        steps.append(StepCalls("(all steps)", 0, total))
    return flow, steps
