"""The deferrable task of the price and stock steps: plan, send batches, wait in the triggerer.

`BulkStepOperator` runs one step batch the way `run_step` does. When the plan takes the bulk
path (`vtex_sync.bulk.flow`) it creates and uploads the VTEX batches, defers until they are
done (holding no worker slot), and finishes them on resume. A retried attempt finds its
batches in the state store's journal (keyed by the run, the step, the batch and the file)
and resumes polling them instead of uploading again. Below the bulk threshold it is an
ordinary per-record task.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from vtex_provider.operators.vtex_batch import BatchTicket, VtexBatchOperator

if TYPE_CHECKING:
    from vtex_sync.flows.engine import EntityReport

log = logging.getLogger(__name__)

BULK_STEPS = ("prices", "inventory")


class BulkStepOperator(VtexBatchOperator):
    """
    One price or stock step (or batch ``[index, count]`` of it), in bulk when its volume says so.

    :param step: ``prices`` or ``inventory``.
    :param batch: ``[index, count]`` of the step's slices; None for the whole step.
    """

    template_fields: Sequence[str] = ()  # nothing templated: a mapped task sees plain values

    def __init__(self, *, step: str, batch: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = step
        self.batch = batch

    def start_batches(self, context: Any) -> BatchTicket | dict[str, Any]:
        return start_step(self.step, context["params"], batch=self.batch, run_key=str(context["run_id"]))

    def finish_batches(self, context: Any, ticket: BatchTicket, event: dict[str, Any]) -> dict[str, Any]:
        return finish_step(self.step, ticket, event)


def _result(step: str, outcome: EntityReport, ctx: Any) -> dict[str, Any]:
    result = outcome.as_dict()
    result["entity"] = step
    result["retries"] = dict(ctx.hook.stats.retries)
    return result


def start_step(
    step: str, params: Mapping[str, Any], *, batch: list[int] | None, run_key: str
) -> BatchTicket | dict[str, Any]:
    """Run the step; a ticket when it sent batches to wait for, else its summary."""
    from vtex_sync.airflow.connections import build_context, load_settings
    from vtex_sync.airflow.tasks import selected
    from vtex_sync.flows.runner import Batch
    from vtex_sync.flows.setup import STEP_FUNCTIONS

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
    from vtex_sync.airflow.connections import build_context, load_settings
    from vtex_sync.bulk.files import BulkKind
    from vtex_sync.bulk.job import BatchSender, Sent
    from vtex_sync.flows.engine import EntityReport, Failure

    ctx = build_context(settings=load_settings())
    saved = ticket.state["outcome"]
    outcome = EntityReport(step, Counter(saved["counts"]), [Failure(**f) for f in saved["failures"]])
    by_entity: dict[str, list[Sent]] = {}
    for entity, key, kind, batch_id in ticket.state["sent"]:
        by_entity.setdefault(entity, []).append(Sent(key, BulkKind(kind), batch_id))
    sender = BatchSender(ctx)
    for entity, items in by_entity.items():
        outcome.add(sender.finish(entity, items, event))
    outcome.counts["calls"] += ctx.hook.stats.calls
    return _result(step, outcome, ctx)
