"""VtexBatchOperator: start VTEX batches, wait for them in the triggerer, then finish.

Subclasses say how to start (plan, build the CSV, create, upload, confirm) and how to finish
(read the statuses and error CSVs, record the outcome). Between the two the task is deferred,
so it holds no worker slot while VTEX processes the files. `start_batches` must be safe to
run again after a retry: it finds the batches an earlier attempt created (the product keeps
their ids in its state store) instead of uploading again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator

from vtex_provider.hooks.vtex import VtexHook
from vtex_provider.triggers.vtex_batch import VtexBatchTrigger, wait_blocking


@dataclass(frozen=True)
class BatchTicket:
    """The batches a task waits for (``[api, batch_id]`` pairs) and what it needs to finish (small)."""

    batches: list[list[str]]
    state: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class VtexBatchOperator(BaseOperator):
    """
    Run one VTEX batch job as deferrable work.

    :param vtex_conn_id: the `vtex` connection.
    :param poll_interval: first wait between status polls, in seconds (then backs off).
    :param max_poll_interval: longest wait between polls.
    :param batch_timeout: how long to wait for VTEX before giving up on the batches.
    :param deferrable: wait in the triggerer (default) or poll from the worker.
    """

    template_fields: Sequence[str] = ("vtex_conn_id",)

    def __init__(
        self,
        *,
        vtex_conn_id: str = VtexHook.default_conn_name,
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        batch_timeout: timedelta = timedelta(hours=6),
        deferrable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.vtex_conn_id = vtex_conn_id
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.batch_timeout = batch_timeout
        self.deferrable = deferrable

    # -- what a subclass provides -----------------------------------------------------------

    def start_batches(self, context: Any) -> BatchTicket | Any:
        """Create/upload/confirm (or find again) the batches; any other return value is the
        task's result (nothing needed a batch)."""
        raise NotImplementedError

    def finish_batches(self, context: Any, ticket: BatchTicket, event: dict[str, Any]) -> Any:
        """Turn the batches' final statuses into the task's result, or into the ticket of the
        next batches to wait for."""
        raise NotImplementedError

    # -- the deferral -----------------------------------------------------------------------

    def execute(self, context: Any) -> Any:
        return self._wait_or_return(context, self.start_batches(context))

    def _wait_or_return(self, context: Any, started: Any) -> Any:
        """Defer on a ticket (`finish_batches` may return the next phase's); anything else is the result."""
        while isinstance(started, BatchTicket) and not self.deferrable:
            event = wait_blocking(
                VtexHook(self.vtex_conn_id),
                started.batches,
                poll_interval=self.poll_interval,
                max_poll_interval=self.max_poll_interval,
                timeout=self.batch_timeout.total_seconds(),
            )
            started = self.finish_batches(context, started, event)
        if not isinstance(started, BatchTicket):
            return started
        self.log.info("deferring until VTEX batch(es) %s finish", ", ".join(b for _, b in started.batches))
        self.defer(
            trigger=VtexBatchTrigger(
                batches=started.batches,
                vtex_conn_id=self.vtex_conn_id,
                poll_interval=self.poll_interval,
                max_poll_interval=self.max_poll_interval,
                timeout=self.batch_timeout.total_seconds(),
            ),
            method_name="execute_complete",
            kwargs={"ticket": started.as_dict()},
        )

    def execute_complete(self, context: Any, event: dict[str, Any], ticket: dict[str, Any]) -> Any:
        return self._wait_or_return(context, self.finish_batches(context, BatchTicket(**ticket), event))
