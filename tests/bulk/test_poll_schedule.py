"""When the batch waiter asks VTEX again: the guide's backoff, or the end a batch's progress foretells."""

from __future__ import annotations

import pytest

from vtex_provider.models.bulk import InventoryBatchStatus, PriceBatchStatus
from vtex_provider.triggers import vtex_batch
from vtex_provider.triggers.vtex_batch import ETA_MARGIN, PollSchedule


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(vtex_batch.time, "monotonic", clock)
    return clock


def test_without_progress_the_waits_back_off_to_the_maximum(clock: Clock) -> None:
    schedule = PollSchedule(5.0, 60.0, 1.5)
    waits = []
    for _ in range(8):
        waits.append(schedule.next_wait({}, ["b"]))
        clock.now += waits[-1]
    assert waits == [5.0, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 60.0]


def test_steady_progress_times_the_next_poll_at_the_batchs_end(clock: Clock) -> None:
    schedule = PollSchedule(5.0, 60.0, 1.5)
    assert schedule.next_wait({"b": 0.10}, ["b"]) == 5.0  # one answer: no rate yet
    clock.now += 5.0
    # 10% more in 5 s: the remaining 80% take 40 s
    assert schedule.next_wait({"b": 0.20}, ["b"]) == pytest.approx(40.0 * ETA_MARGIN)


def test_the_slowest_batch_sets_the_wait_and_the_wait_stays_within_its_bounds(clock: Clock) -> None:
    schedule = PollSchedule(5.0, 60.0, 1.5)
    schedule.next_wait({"fast": 0.5, "slow": 0.01}, ["fast", "slow"])
    clock.now += 5.0
    # slow: 1% in 5 s, 98% left: 490 s, capped at the maximum
    assert schedule.next_wait({"fast": 0.99, "slow": 0.02}, ["fast", "slow"]) == 60.0
    clock.now += 60.0
    # only fast is left and almost done: never sooner than the first interval
    assert schedule.next_wait({"fast": 0.999}, ["fast"]) == 5.0


def test_a_batch_that_has_not_moved_keeps_the_backoff_and_is_measured_from_its_last_standstill(
    clock: Clock,
) -> None:
    schedule = PollSchedule(5.0, 60.0, 1.5)
    assert schedule.next_wait({"b": 0.0}, ["b"]) == 5.0
    clock.now += 5.0
    assert schedule.next_wait({"b": 0.0}, ["b"]) == 7.5  # still queued at VTEX
    clock.now += 7.5
    # half done 7.5 s after the last standstill: the other half takes 7.5 s
    assert schedule.next_wait({"b": 0.5}, ["b"]) == pytest.approx(7.5 * ETA_MARGIN)


def test_a_batch_whose_answer_gives_no_progress_keeps_the_backoff(clock: Clock) -> None:
    schedule = PollSchedule(5.0, 60.0, 1.5)
    schedule.next_wait({"a": 0.2}, ["a", "b"])
    clock.now += 5.0
    assert schedule.next_wait({"a": 0.4}, ["a", "b"]) == 7.5


def test_both_status_answers_say_their_progress() -> None:
    price = PriceBatchStatus.model_validate(
        {"batchId": "p", "status": "PROCESSING", "bytesProcessed": 250, "bytesTotal": 1000}
    )
    stock = InventoryBatchStatus.model_validate(
        {"batchId": "s", "status": "PROCESSING", "rowCount": 400, "processedCount": 100}
    )
    unknown = PriceBatchStatus.model_validate({"batchId": "q", "status": "PROCESSING"})
    empty = InventoryBatchStatus.model_validate({"batchId": "t", "status": "PROCESSING", "rowCount": 0})
    assert (price.progress, stock.progress, unknown.progress, empty.progress) == (0.25, 0.25, None, None)
