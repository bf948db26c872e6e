"""Start and finish a price or stock step around a deferral (what `BulkStepOperator` calls)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

from vtex_provider.operators.vtex_batch import BatchTicket
from vtex_sync.bulk.files import BulkKind
from vtex_sync.bulk.job import BatchSender, Sent
from vtex_sync.flows.engine import Failure, Outcome

log = logging.getLogger(__name__)


def _result(step: str, outcome: Outcome, ctx: Any) -> dict[str, Any]:
    result = outcome.as_dict()
    result["entity"] = step
    result["retries"] = dict(ctx.hook.stats.retries)
    return result


def start_step(
    step: str, params: Mapping[str, Any], *, batch: list[int] | None, run_key: str
) -> BatchTicket | dict[str, Any]:
    """Run the step; a ticket when it sent batches to wait for, else its summary."""
    from vtex_sync.context import build_context
    from vtex_sync.flows.runner import Batch
    from vtex_sync.flows.setup import STEP_FUNCTIONS
    from vtex_sync.tasks import load_settings, selected

    if not selected(step, params):
        return {"entity": step, "counts": {}, "failures": []}
    ctx = build_context(dry_run=bool(params.get("dry_run")), settings=load_settings())
    ctx.run_key, ctx.deferred = run_key, []
    outcome = STEP_FUNCTIONS[step](ctx, batch=Batch(*batch) if batch else None)
    sent = [(spec.name, item) for spec, started in ctx.deferred for item in started.sent]
    if not sent:
        return _result(step, outcome, ctx)
    return BatchTicket(
        batches=[item.pair for _, item in sent],
        state={
            "sent": [[entity, item.key, item.kind.value, item.batch_id] for entity, item in sent],
            "outcome": outcome.as_dict(),
            "calls": ctx.hook.stats.calls,
        },
    )


def finish_step(step: str, ticket: BatchTicket, event: dict[str, Any]) -> dict[str, Any]:
    """Record what the batches did and return the step's summary (per-item part included)."""
    from vtex_sync.context import build_context
    from vtex_sync.tasks import load_settings

    ctx = build_context(settings=load_settings())
    saved = ticket.state["outcome"]
    outcome = Outcome(step, Counter(saved["counts"]), [Failure(**f) for f in saved["failures"]])
    by_entity: dict[str, list[Sent]] = {}
    for entity, key, kind, batch_id in ticket.state["sent"]:
        by_entity.setdefault(entity, []).append(Sent(key, BulkKind(kind), batch_id))
    sender = BatchSender(ctx)
    for entity, items in by_entity.items():
        outcome.add(sender.finish(entity, items, event))
    outcome.counts["calls"] += ctx.hook.stats.calls
    return _result(step, outcome, ctx)
