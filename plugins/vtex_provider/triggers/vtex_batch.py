"""A trigger that waits in the triggerer until VTEX batches (Bulk Pricing, batch inventory) finish.

A long import then holds no worker slot: the task creates and uploads its batches, defers to
this trigger, and resumes once every batch has a terminal status. Polling starts at the
guide's 5 s and backs off gradually; once two answers show a batch's progress (`bytesProcessed`,
`processedCount`), the next poll is when that progress says the batch ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from vtex_provider.exceptions import VtexApiError
from vtex_provider.models.bulk import BatchApi, BatchStatus

# a status answer that cannot change by waiting
FATAL_STATUSES = frozenset({400, 401, 403, 404})
ETA_MARGIN = 1.05  # a poll timed by a batch's progress comes this much after its estimated end


def batch_client(hook: Any, api: BatchApi | str) -> Any:
    """The client that can answer `status(batch_id)` for a batch of `api`."""
    if BatchApi(api) is BatchApi.BULK_PRICING:
        from vtex_provider.clients.bulk_pricing import BulkPricingClient

        return BulkPricingClient(hook)
    from vtex_provider.clients.batch_inventory import BatchInventoryClient

    return BatchInventoryClient(hook)


def poll_once(
    hook: Any,
    batches: Sequence[Sequence[str]],
    done: dict[str, dict[str, Any]],
    progress: dict[str, float] | None = None,
) -> bool:
    """Ask VTEX about each unfinished batch ``(api, batch_id)``; True once all are terminal.

    `done` collects each finished batch's status answer (or an ``ERROR`` entry when VTEX
    refuses to say: unknown batch, no permission); `progress`, the share processed of each
    unfinished batch whose answer says.
    """
    for api, batch_id in batches:
        if batch_id in done:
            continue
        try:
            status: BatchStatus = batch_client(hook, api).status(batch_id)
        except VtexApiError as error:
            if error.status in FATAL_STATUSES:
                done[batch_id] = {"api": api, "batchId": batch_id, "status": "ERROR", "message": str(error)}
            continue  # the hook has already retried what was retryable; ask again next round
        if status.terminal:
            done[batch_id] = {"api": api, **status.model_dump(mode="json", by_alias=True)}
        elif progress is not None and status.progress is not None:
            progress[batch_id] = status.progress
    return all(batch_id in done for _, batch_id in batches)


class PollSchedule:
    """When to ask again: `first`, growing by `backoff` up to `maximum`; sooner, or later but
    within `maximum`, when two answers' progress says when every unfinished batch ends."""

    def __init__(self, first: float, maximum: float, backoff: float) -> None:
        self.first, self.maximum, self.backoff = first, maximum, backoff
        self.interval = first
        self.seen: dict[str, tuple[float, float]] = {}  # batch -> (monotonic time, progress)

    def next_wait(self, progress: dict[str, float], pending: Sequence[str]) -> float:
        """Seconds to wait before the next poll, given the progress the last poll read."""
        now, backoff_wait = time.monotonic(), self.interval
        self.interval = min(self.interval * self.backoff, self.maximum)
        ends = [self._seconds_left(batch, progress.get(batch), now) for batch in pending]
        if not ends or any(end is None for end in ends):
            return backoff_wait
        return min(max(max(e for e in ends if e is not None), self.first), self.maximum)

    def _seconds_left(self, batch: str, share: float | None, now: float) -> float | None:
        if share is None:
            return None
        before = self.seen.get(batch)
        if before is None or share <= before[1]:  # no progress yet: measure from here
            self.seen[batch] = (now, share)
            return None
        seconds, gained = now - before[0], share - before[1]
        return (1.0 - share) * seconds / gained * ETA_MARGIN


class BatchPoll:
    """One wait for `batches` ``(api, batch_id)``: the answers so far, when to ask again, and
    the deadline (`timeout` seconds from now; None: no deadline)."""

    def __init__(
        self, batches: Sequence[Sequence[str]], schedule: PollSchedule, timeout: float | None
    ) -> None:
        self.batches = batches
        self.schedule = schedule
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.done: dict[str, dict[str, Any]] = {}
        self.progress: dict[str, float] = {}

    def once(self, hook: Any) -> bool:
        """Ask VTEX about the unfinished batches; True once all are terminal."""
        return poll_once(hook, self.batches, self.done, self.progress)

    def out_of_time(self) -> bool:
        """Past the deadline: every unfinished batch gets status ``TIMEOUT``; True if so."""
        if self.deadline is None or time.monotonic() < self.deadline:
            return False
        for api, batch_id in self.batches:
            self.done.setdefault(batch_id, {"api": api, "batchId": batch_id, "status": "TIMEOUT"})
        return True

    def pending(self) -> list[str]:
        return [batch_id for _, batch_id in self.batches if batch_id not in self.done]

    def next_wait(self) -> float:
        return self.schedule.next_wait(self.progress, self.pending())

    def result(self) -> dict[str, Any]:
        """The event's payload: each batch's last status answer, in the order given."""
        return {"batches": [self.done[batch_id] for _, batch_id in self.batches]}


class VtexBatchTrigger(BaseTrigger):
    """
    Poll VTEX batches until every one is terminal, then fire one event with all their statuses.

    :param batches: ``[api, batch_id]`` pairs; api is ``bulk_pricing`` or ``batch_inventory``.
    :param vtex_conn_id: the `vtex` connection.
    :param poll_interval: seconds before the second poll; grows by `backoff` up to `max_poll_interval`.
    :param timeout: seconds after which the trigger fires with status ``TIMEOUT`` for what is left.
    """

    def __init__(
        self,
        *,
        batches: Sequence[Sequence[str]],
        vtex_conn_id: str = "vtex_default",
        poll_interval: float = 5.0,
        max_poll_interval: float = 60.0,
        backoff: float = 1.5,
        timeout: float | None = None,
    ) -> None:
        super().__init__()
        self.batches = [[str(api), str(batch_id)] for api, batch_id in batches]
        self.vtex_conn_id = vtex_conn_id
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.backoff = backoff
        self.timeout = timeout

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "batches": self.batches,
                "vtex_conn_id": self.vtex_conn_id,
                "poll_interval": self.poll_interval,
                "max_poll_interval": self.max_poll_interval,
                "backoff": self.backoff,
                "timeout": self.timeout,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from vtex_provider.hooks.vtex import VtexHook

        hook = VtexHook(self.vtex_conn_id, max_workers=2)
        schedule = PollSchedule(self.poll_interval, self.max_poll_interval, self.backoff)
        poll = BatchPoll(self.batches, schedule, self.timeout)
        # the hook is synchronous: keep the triggerer's event loop free while it waits
        while not await asyncio.to_thread(poll.once, hook) and not poll.out_of_time():
            wait = poll.next_wait()
            pending = ", ".join(poll.pending())
            self.log.info("waiting for VTEX batch(es) %s; next poll in %.0fs", pending, wait)
            await asyncio.sleep(wait)
        yield TriggerEvent(poll.result())


def wait_blocking(
    hook: Any,
    batches: Sequence[Sequence[str]],
    *,
    poll_interval: float = 5.0,
    max_poll_interval: float = 60.0,
    backoff: float = 1.5,
    timeout: float | None = None,
) -> dict[str, Any]:
    """What the trigger does, in the calling thread (for runs outside a triggerer)."""
    poll = BatchPoll(batches, PollSchedule(poll_interval, max_poll_interval, backoff), timeout)
    while not poll.once(hook) and not poll.out_of_time():
        time.sleep(poll.next_wait())
    return poll.result()
