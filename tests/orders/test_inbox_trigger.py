"""The inbox watcher's trigger fires on new pending events, once per batch, and again after a restart."""

from __future__ import annotations

import asyncio

import pytest

from vtex_provider.triggers.inbox import InboxEventTrigger


def event(order_id: str, change: str) -> dict:
    return {"orderId": order_id, "state": "ready-for-handling", "currentChange": change}


class Watch:
    """Runs a trigger as the triggerer does (one task iterating it) and collects its events."""

    def __init__(self, trigger: InboxEventTrigger) -> None:
        self.events: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.create_task(self._consume(trigger))

    async def _consume(self, trigger: InboxEventTrigger) -> None:
        async for fired in trigger.run():
            await self.events.put(fired.payload)

    async def next(self, timeout: float) -> dict | None:
        try:
            return await asyncio.wait_for(self.events.get(), timeout)
        except TimeoutError:
            return None

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def test_trigger_fires_on_new_events_and_stays_quiet_otherwise(world) -> None:
    ctx = world.context()
    trigger = InboxEventTrigger(poll_seconds=0.05)
    assert InboxEventTrigger(**trigger.serialize()[1]).serialize() == trigger.serialize()

    async def scenario() -> list[dict | None]:
        watch = Watch(trigger)
        seen = [await watch.next(0.5)]  # empty inbox: nothing
        ctx.state.inbox_add(ctx.account, event("o-1", "t1"))
        ctx.state.inbox_add(ctx.account, event("o-2", "t1"))
        seen.append(await watch.next(5))  # both, in one event (or two: then the second says 2)
        while (more := await watch.next(0.3)) is not None:
            seen[-1] = more
        seen.append(await watch.next(0.5))  # still pending but already reported: quiet
        ctx.state.inbox_add(ctx.account, event("o-3", "t1"))
        seen.append(await watch.next(5))
        await watch.stop()
        restarted = Watch(InboxEventTrigger(poll_seconds=0.05))
        seen.append(await restarted.next(5))  # a restart reports what is pending
        await restarted.stop()
        return seen

    seen = asyncio.run(scenario())

    assert seen[0] is None and seen[2] is None
    assert seen[1]["pending"] == 2 and seen[3]["pending"] == 3 and seen[4]["pending"] == 3


@pytest.mark.parametrize("status", ["done", "skipped", "claimed"])
def test_trigger_ignores_events_no_longer_pending(world, status) -> None:
    ctx = world.context()
    ctx.state.inbox_add(ctx.account, event("o-9", "t9"))
    ctx.state.inbox_mark(ctx.account, "o-9|ready-for-handling|t9", status)

    async def first() -> dict | None:
        watch = Watch(InboxEventTrigger(poll_seconds=0.05))
        try:
            return await watch.next(0.5)
        finally:
            await watch.stop()

    assert asyncio.run(first()) is None


def test_trigger_fires_again_while_events_stay_pending(world) -> None:
    """An event nobody processed (a failed run, a late commit) wakes the DAG again."""
    ctx = world.context()
    ctx.state.inbox_add(ctx.account, event("o-7", "t7"))

    async def two() -> list[dict | None]:
        watch = Watch(InboxEventTrigger(poll_seconds=0.05, refire_seconds=0.4))
        try:
            return [await watch.next(5), await watch.next(5)]
        finally:
            await watch.stop()

    assert [fired and fired["pending"] for fired in asyncio.run(two())] == [1, 1]


def test_inbox_dag_is_scheduled_on_the_watched_inbox_asset() -> None:
    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag

    dags = Path(__file__).resolve().parents[2] / "dags"
    dag = DagBag(dag_folder=str(dags / "vtex_orders_inbox.py")).dags["vtex_orders_inbox"]
    (asset,) = dag.timetable.asset_condition.objects
    (watcher,) = asset.watchers
    assert asset.name == "vtex_orders_inbox" and dag.max_active_runs == 1
    assert isinstance(watcher.trigger, InboxEventTrigger)
