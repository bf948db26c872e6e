"""A step's tasks share the pace they learn from VTEX's 429s through the state store."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from vtex_provider.hooks.retry import Pacer
from vtex_sync.airflow.tasks import PACE_MAX_AGE, shared_pace
from vtex_sync.state import StateStore


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    return request.getfixturevalue("pg_url")


def test_the_latest_pace_of_a_step_is_read_back_until_it_is_too_old(url: str) -> None:
    store = StateStore(url)
    assert store.pace("shop", "sku_specifications", PACE_MAX_AGE) is None
    store.save_pace("shop", "sku_specifications", 0.08, 2.0)
    store.save_pace("shop", "sku_specifications", 0.05, 3.5)  # a later task's pace wins
    store.save_pace("other", "sku_specifications", 0.9, 1.0)  # accounts keep their own
    assert store.pace("shop", "sku_specifications", PACE_MAX_AGE) == (0.05, 3.5)
    assert store.pace("shop", "sku_images", PACE_MAX_AGE) is None
    assert store.pace("shop", "sku_specifications", timedelta(0)) is None  # too old to trust


class PacedHook:
    """The pacing face of `VtexHook` over a real `Pacer`."""

    def __init__(self) -> None:
        self.pacer = Pacer(threads=8, first_window=2)

    def pace(self) -> tuple[float, float] | None:
        return self.pacer.pace()

    def resume_pace(self, spacing: float, in_flight: float) -> None:
        self.pacer.resume(spacing, in_flight)


def task(store: StateStore, *, dry_run: bool = False) -> SimpleNamespace:
    return SimpleNamespace(state=store, account="shop", hook=PacedHook(), dry_run=dry_run)


def test_a_task_starts_at_the_pace_the_last_task_of_its_step_ended_at(url: str) -> None:
    store = StateStore(url)
    first = task(store)
    with shared_pace(first, "sku_specifications"):
        assert first.hook.pace() is None  # nothing learnt yet: a new task starts free
        first.hook.pacer.throttled(0.0)  # a 429 on the route
        first.hook.pacer.throttled(0.0)
    learnt = first.hook.pace()
    assert learnt is not None and learnt[0] > 0
    assert store.pace("shop", "sku_specifications", PACE_MAX_AGE) == pytest.approx(learnt)

    second = task(store)
    with shared_pace(second, "sku_specifications"):
        assert second.hook.pace() == pytest.approx(learnt)  # it does not meet the limit again
    other_step = task(store)
    with shared_pace(other_step, "sku_images"):
        assert other_step.hook.pace() is None


def test_a_task_without_429s_leaves_nothing_and_a_dry_run_neither_reads_nor_writes(url: str) -> None:
    store = StateStore(url)
    with shared_pace(task(store), "skus"):
        pass
    assert store.pace("shop", "skus", PACE_MAX_AGE) is None
    store.save_pace("shop", "skus", 0.2, 1.0)
    dry = task(store, dry_run=True)
    with shared_pace(dry, "skus"):
        assert dry.hook.pace() is None
        dry.hook.pacer.throttled(0.0)
    assert store.pace("shop", "skus", PACE_MAX_AGE) == (0.2, 1.0)
