"""The deferrable task of the price and stock steps: plan, send batches, wait in the triggerer.

`BulkStepOperator` runs one step batch the way `vtex_sync.tasks.run_step` does. When the
plan takes the bulk path it creates and uploads the VTEX batches, defers until they are
done (holding no worker slot), and finishes them on resume. A retried attempt finds its
batches in the state store's journal (keyed by the run, the step, the batch and the file)
and resumes polling them instead of uploading again. Below the bulk threshold it is an
ordinary per-record task.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vtex_provider.operators.vtex_batch import BatchTicket, VtexBatchOperator

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
        from vtex_sync.bulk.steps import start_step

        return start_step(self.step, context["params"], batch=self.batch, run_key=str(context["run_id"]))

    def finish_batches(self, context: Any, ticket: BatchTicket, event: dict[str, Any]) -> dict[str, Any]:
        from vtex_sync.bulk.steps import finish_step

        return finish_step(self.step, ticket, event)
