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

    def __init__(self, *, step: str, batch: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.step = step
        self.batch = batch

    def start_batches(self, context: Any) -> BatchTicket | dict[str, Any]:
        from vtex_sync.airflow.stops import expected_stops
        from vtex_sync.airflow.tasks import skip_unless_selected

        skip_unless_selected(self.step, context["params"])
        with expected_stops(context.get("ti")):
            params, run_key = context["params"], str(context["run_id"])
            started = start_step(self.step, params, batch=self.batch, run_key=run_key)
            return _checked(self.step, started, params)

    def finish_batches(
        self, context: Any, ticket: BatchTicket, event: dict[str, Any]
    ) -> BatchTicket | dict[str, Any]:
        from vtex_sync.airflow.stops import expected_stops

        with expected_stops(context.get("ti")):
            return _checked(self.step, finish_step(self.step, ticket, event), context["params"])


def _checked(step: str, result: BatchTicket | dict[str, Any], params: Mapping[str, Any]) -> Any:
    """A finished step's summary, after failing the task when more records failed than allowed."""
    from vtex_sync.airflow.connections import load_settings
    from vtex_sync.airflow.tasks import fail_if_too_many, failure_threshold

    if isinstance(result, dict):
        threshold = failure_threshold(params, load_settings())
        fail_if_too_many(step, int(result.get("counts", {}).get("failed", 0)), threshold, result)
    return result


def _result(step: str, outcome: EntityReport, ctx: Any) -> dict[str, Any]:
    result = outcome.as_dict()
    result["entity"] = step
    result["retries"] = dict(ctx.hook.stats.retries)
    return result


def _ticket(groups: list[dict[str, Any]], report: EntityReport, calls: int) -> BatchTicket:
    return BatchTicket(
        batches=[[api, batch_id] for g in groups for api, batch_id in g["pairs"]],
        state={"groups": groups, "outcome": report.as_dict(), "calls": calls},
    )


def _group(spec_name: str, started: Any, run_key: str, part: str) -> dict[str, Any]:
    """What one entity's phase needs to be finished by another process (small: keys and ids)."""
    return {
        "entity": spec_name, "run_key": run_key, "part": part, "phase": started.phase,
        "failed": sorted(started.failed), "pairs": [item.pair for item in started.sent],
        "sent": [[item.key, item.kind.value, item.batch_id] for item in started.sent],
    }


def start_step(
    step: str, params: Mapping[str, Any], *, batch: list[Any] | None, run_key: str
) -> BatchTicket | dict[str, Any]:
    """Run the step; a ticket when it sent batches to wait for, else its summary."""
    from airflow.sdk.exceptions import AirflowFailException

    from vtex_sync.airflow.connections import build_context, load_settings
    from vtex_sync.airflow.tasks import selected
    from vtex_sync.flows.guard import BlastRadiusExceeded
    from vtex_sync.flows.runner import Batch
    from vtex_sync.flows.setup import STEP_FUNCTIONS

    if not selected(step, params):
        return {"entity": step, "counts": {}, "failures": []}
    ctx = build_context(dry_run=bool(params.get("dry_run")), settings=load_settings())
    ctx.run_key, ctx.deferred = run_key, []
    ctx.confirm_blast_radius = bool(params.get("confirm_blast_radius"))  # checked on each plan
    try:
        outcome = STEP_FUNCTIONS[step](ctx, batch=Batch(*batch) if batch else None)
    except BlastRadiusExceeded as error:
        raise AirflowFailException(str(error)) from error
    groups = [_group(spec.name, started, run_key, part)
              for spec, started, part in ctx.deferred if started.sent]
    if not groups:
        return _result(step, outcome, ctx)
    return _ticket(groups, outcome, ctx.hook.stats.calls)


def finish_step(step: str, ticket: BatchTicket, event: dict[str, Any]) -> BatchTicket | dict[str, Any]:
    """Record what a phase's batches did; a ticket for the next phase (fixed prices after
    base prices), else the step's summary (per-item part included)."""
    from vtex_sync.airflow.connections import build_context, load_settings
    from vtex_sync.bulk import flow
    from vtex_sync.bulk.files import BulkKind
    from vtex_sync.bulk.job import Sent
    from vtex_sync.flows.engine import EntityReport, Failure
    from vtex_sync.flows.setup import SPECS

    ctx = build_context(settings=load_settings())
    saved = ticket.state["outcome"]
    outcome = EntityReport(step, Counter(saved["counts"]), [Failure(**f) for f in saved["failures"]])
    following = []
    for group in ticket.state["groups"]:
        sent = [Sent(key, BulkKind(kind), batch_id) for key, kind, batch_id in group["sent"]]
        started = flow.Started(sent, None, group["phase"], set(group["failed"]))
        report, after = flow.finish(ctx, SPECS[group["entity"]], started, event,
                                    run_key=group["run_key"], part=group["part"])
        outcome.add(report)
        if after is not None:
            following.append(_group(group["entity"], after, group["run_key"], group["part"]))
    calls = int(ticket.state.get("calls", 0)) + ctx.hook.stats.calls
    if following:
        return _ticket(following, outcome, calls)
    outcome.counts["calls"] = outcome.counts.get("calls", 0) + calls
    return _result(step, outcome, ctx)
