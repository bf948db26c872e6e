"""Client-side pacing: one pause for every thread after a 429, spacing when credits run low."""

from __future__ import annotations

import threading
import time

from vtex_provider.hooks.retry import Pacer, RateLimitState


def test_a_429_pause_holds_every_thread() -> None:
    pacer = Pacer(threads=4)
    pacer.throttled(0.3)
    waited: list[float] = []
    started = time.monotonic()

    def request() -> None:
        pacer.wait_turn()  # two at a time: the 429 also halved the requests in flight
        waited.append(time.monotonic() - started)
        pacer.answered()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(waited) == 4 and min(waited) >= 0.25


def test_requests_are_spaced_at_the_refill_rate_when_credits_run_low() -> None:
    pacer = Pacer(threads=8)
    # 500 credits, 2 left, full again in 15 s: about 33 credits per second
    pacer.observe(RateLimitState(limit=500, remaining=2, reset_seconds=15, observed_at=time.monotonic()))
    started = time.monotonic()
    for _ in range(11):
        pacer.wait_turn()
        pacer.answered()
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed <= 0.6  # 10 intervals of ~30 ms


def test_no_spacing_while_credits_last() -> None:
    pacer = Pacer(threads=8)
    pacer.observe(RateLimitState(limit=500, remaining=400, reset_seconds=3, observed_at=time.monotonic()))
    started = time.monotonic()
    for _ in range(50):
        pacer.wait_turn()
        pacer.answered()
    assert time.monotonic() - started < 0.05
