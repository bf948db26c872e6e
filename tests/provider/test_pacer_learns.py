"""A hook that meets 429s on a route without rate-limit headers slows down, then speeds up again."""

from __future__ import annotations

import pytest

from vtex_provider.hooks import retry
from vtex_provider.hooks.retry import (
    FIRST_SLOWDOWN,
    MAX_SPACING,
    MIN_SPACING,
    RECOVERY,
    SLOWDOWN,
    WINDOW_GROWTH,
    Pacer,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(retry.time, "monotonic", clock)
    monkeypatch.setattr(retry.time, "sleep", clock.sleep)
    return clock


def send(pacer: Pacer, clock: Clock, gap: float, times: int) -> list[float]:
    """`times` sends `gap` seconds apart (as the threads would make them); the waits imposed."""
    waits = []
    for _ in range(times):
        waits.append(pacer.wait_turn())
        pacer.answered()
        clock.now += gap
    return waits


def test_a_429_slows_the_hook_once_per_burst_and_answers_win_the_rate_back(clock: Clock) -> None:
    pacer = Pacer(threads=8)
    assert send(pacer, clock, 0.01, 50) == [0.0] * 50  # 100 sends a second, nothing in the way

    pacer.throttled(1.0)
    pacer.throttled(1.0)  # the burst's other 429s: no second halving
    first, *rest = send(pacer, clock, 0.0, 5)
    assert first == pytest.approx(1.0)  # everyone waits out Retry-After
    # then one send every ~40 ms: a quarter of the ~100 a second it had
    spacing = 0.01 * FIRST_SLOWDOWN
    assert rest == pytest.approx([spacing] * 4, rel=0.05)

    for _ in range(10):
        pacer.delivered()
    spacing *= RECOVERY**10
    assert send(pacer, clock, 0.0, 2)[1] == pytest.approx(spacing, rel=0.05)
    clock.now += 1.0
    pacer.throttled(0.0)  # a later 429, once the hook is paced: a gentler slowdown
    assert send(pacer, clock, 0.0, 2)[1] == pytest.approx(spacing * SLOWDOWN, rel=0.05)


def test_repeated_429s_slow_down_to_the_cap_and_recovery_ends_in_free_sending(clock: Clock) -> None:
    pacer = Pacer(threads=8)
    send(pacer, clock, 0.005, 20)
    for _ in range(20):
        pacer.throttled(0.1)
        clock.now += 0.2  # the pause is over: the next 429 is news
    assert send(pacer, clock, 0.0, 3)[2] == pytest.approx(MAX_SPACING)

    while send(pacer, clock, 0.0, 2)[1] > 0:
        for _ in range(100):
            pacer.delivered()
    assert pacer._spacing == 0.0 and MIN_SPACING > 0  # back to sending freely


def test_a_new_hook_starts_with_few_requests_in_flight_and_adds_one_per_answer() -> None:
    import threading

    pacer = Pacer(threads=4, first_window=2)
    sent: list[int] = []
    lock = threading.Lock()

    def request(number: int) -> None:
        pacer.wait_turn()
        with lock:
            sent.append(number)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    threads[0].join(0.2)
    assert len(sent) == 2  # the other two wait for answers
    pacer.delivered()  # an answer: one more may go, and the one answered leaves room too
    pacer.answered()
    for thread in threads:
        thread.join(2)
    assert len(sent) == 4


def test_a_429_halves_the_requests_in_flight_which_then_grow_back_by_one_a_second(clock: Clock) -> None:
    """A 429's pause lasts many round trips: growing by one per round trip (as TCP does) would
    put the whole window back in flight before the pause is over, and the next burst into the
    limit would meet one 429 per request in flight."""
    pacer = Pacer(threads=8, first_window=2)
    for _ in range(6):
        pacer.delivered()  # slow start: one more per answer
    assert pacer._window == 8
    pacer.throttled(0.1)
    assert pacer._window == 4
    round_trips = 20  # a second, at 50 ms
    for _ in range(round_trips):
        for _ in range(int(pacer._window)):
            pacer.delivered()  # a round trip's answers
    assert pacer._window == pytest.approx(4 + round_trips * WINDOW_GROWTH, abs=0.3)
    assert pacer._window < 6
