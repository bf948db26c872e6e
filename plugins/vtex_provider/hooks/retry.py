"""Retry policy and call counters shared by the VTEX hook."""

from __future__ import annotations

import email.utils
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES = frozenset({408, 423})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the hook retries. Waits are in seconds."""

    max_attempts: int = 6
    base_wait: float = 1.0
    max_wait: float = 60.0
    max_retry_after: float = 120.0
    # a 429 means the call was not processed: keep trying longer than for errors
    max_rate_limited_attempts: int = 30


@dataclass(frozen=True)
class CallStats:
    """A snapshot of the hook's counters."""

    calls: int
    retries: dict[str, int]
    waited_seconds: float

    def as_dict(self) -> dict:
        return {"calls": self.calls, "retries": dict(self.retries), "waited_seconds": self.waited_seconds}


@dataclass
class StatsRecorder:
    """Thread-safe counters: calls sent, retries by reason, seconds spent waiting."""

    _calls: int = 0
    _retries: Counter = field(default_factory=Counter)
    _waited: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count_call(self) -> None:
        with self._lock:
            self._calls += 1

    def count_retry(self, reason: str, wait: float) -> None:
        with self._lock:
            self._retries[reason] += 1
            self._waited += wait

    def snapshot(self) -> CallStats:
        with self._lock:
            return CallStats(self._calls, dict(self._retries), round(self._waited, 3))


@dataclass(frozen=True)
class RateLimitState:
    """Pricing's `Ratelimit-*` headers from the latest response that carried them."""

    limit: int | None
    remaining: int | None
    reset_seconds: float | None
    observed_at: float


def read_rate_limit(headers: requests.structures.CaseInsensitiveDict) -> RateLimitState | None:
    """Parse `Ratelimit-Limit/Remaining/Reset`; None when the response has none."""
    if not any(name in headers for name in ("Ratelimit-Limit", "Ratelimit-Remaining", "Ratelimit-Reset")):
        return None
    limit = _number(headers.get("Ratelimit-Limit"))
    remaining = _number(headers.get("Ratelimit-Remaining"))
    return RateLimitState(
        limit=None if limit is None else int(limit),
        remaining=None if remaining is None else int(remaining),
        reset_seconds=_number(headers.get("Ratelimit-Reset")),
        observed_at=time.monotonic(),
    )


def retry_after_seconds(headers: requests.structures.CaseInsensitiveDict) -> float | None:
    """Seconds to wait after a 429: `Retry-After` (seconds or HTTP date), else `Ratelimit-Reset`."""
    value = headers.get("Retry-After")
    seconds = _number(value)
    if seconds is None and value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            seconds = when.timestamp() - time.time()
        except (TypeError, ValueError):
            seconds = None
    if seconds is None:
        seconds = _number(headers.get("Ratelimit-Reset"))
    return None if seconds is None else max(0.0, seconds)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def is_never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached VTEX (connect refused or connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return type(reason).__name__ in {"NewConnectionError", "NameResolutionError"}
    return False


# a hook's own pacing after 429s on a route without rate-limit headers
MIN_SPACING = 0.001  # seconds between sends: below this the hook sends freely
MAX_SPACING = 1.0
FIRST_SLOWDOWN = 4.0  # the first 429 of a hook sending freely: a quarter of the rate it had
SLOWDOWN = 1.25  # a later 429 stretches the spacing this much (the rate falls by a fifth)
RECOVERY = 0.99  # per answer: about 22 answers win back what one 429 took
GAP_WEIGHT = 0.1  # how fast the average gap between sends follows the latest
FIRST_WINDOW = 2  # a new hook's requests in flight at once, one more per answer up to its threads
WINDOW_GROWTH = 0.05  # once limited, requests in flight grow this much per round trip (1/s at 50 ms)


class Pacer:
    """Keeps one hook's threads from outrunning a rate limit.

    After a 429 every thread waits out the same `Retry-After` (no thundering herd), and once
    Pricing's `Ratelimit-Remaining` credits drop below the threads in flight, requests are
    spaced at the refill rate the headers imply instead of running into 429s. Where VTEX sends
    no such headers (Catalog), a 429 slows this hook's sending (to a quarter at the first, by a
    fifth at later ones), and each answer that follows wins a little of it back: the hooks
    sharing a route settle just under its limit.
    With `first_window`, a new hook starts with that many requests in flight and adds one per
    answer (slow start): a task joining a route that is at its limit meets one or two 429s,
    not one per thread. A 429 also halves the requests in flight, which then grow back by
    `WINDOW_GROWTH` per round trip: a 429's pause lasts many round trips, and a window grown
    back by one per round trip would send the next burst into the limit as one 429 per thread.
    """

    def __init__(self, threads: int, first_window: int | None = None) -> None:
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._threads = max(1, threads)
        self._window: float = min(first_window or self._threads, self._threads)
        self._limited = False  # a 429 has been seen: the window grows slowly from then on
        self._in_flight = 0
        self._paused_until = 0.0
        self._interval = 0.0  # from Pricing's headers
        self._spacing = 0.0  # learnt from 429s
        self._gap = 0.0  # average seconds between this hook's sends
        self._last_send = 0.0
        self._next_slot = 0.0

    def observe(self, state: RateLimitState) -> None:
        if state.limit is None or state.remaining is None or not state.reset_seconds:
            return
        with self._lock:
            if state.remaining >= self._threads:
                self._interval = 0.0
            else:
                refill_per_second = max(state.limit - state.remaining, 1) / state.reset_seconds
                self._interval = 1.0 / refill_per_second

    def throttled(self, seconds: float) -> None:
        """A 429: every thread waits `seconds`; the hook's rate falls to a quarter at its first
        429 and by a fifth at a later one (once per pause: the other answers of the same burst
        say nothing new)."""
        with self._lock:
            now = time.monotonic()
            if now >= self._paused_until:
                slowdown = SLOWDOWN if self._spacing else FIRST_SLOWDOWN
                self._spacing = min(slowdown * max(self._spacing, self._gap, MIN_SPACING), MAX_SPACING)
                self._window = max(1.0, self._window / 2)
                self._limited = True
            self._paused_until = max(self._paused_until, now + seconds)

    def delivered(self) -> None:
        """An answer that was not a 429: the learnt spacing shrinks by `RECOVERY`, and a little
        more may be in flight."""
        with self._room:
            if self._spacing:
                self._spacing = self._spacing * RECOVERY if self._spacing > MIN_SPACING else 0.0
            # one more per answer until the first 429, then WINDOW_GROWTH more per round trip
            growth = WINDOW_GROWTH / self._window if self._limited else 1.0
            self._window = min(self._window + growth, self._threads)
            self._room.notify_all()

    def pace(self) -> tuple[float, float] | None:
        """``(spacing, in flight)`` learnt from 429s; None while the hook has met none."""
        with self._lock:
            return (self._spacing, self._window) if self._limited else None

    def resume(self, spacing: float, in_flight: float) -> None:
        """Start at a pace an earlier hook on the same route learnt (`pace`)."""
        with self._room:
            self._spacing = min(max(spacing, 0.0), MAX_SPACING)
            self._window = min(max(in_flight, 1.0), self._threads)
            self._limited = True
            self._room.notify_all()

    def answered(self) -> None:
        """A request that `wait_turn` let go has its answer (or its failure)."""
        with self._room:
            self._in_flight = max(0, self._in_flight - 1)
            self._room.notify_all()

    def wait_turn(self) -> float:
        """Sleep until this thread may send (call `answered` once it has its answer); returns
        the seconds waited."""
        with self._room:
            while self._in_flight >= int(self._window):
                self._room.wait()
            self._in_flight += 1
            now = time.monotonic()
            if self._last_send:
                gap = min(max(now - self._last_send, 0.0), MAX_SPACING)
                self._gap += (gap - self._gap) * GAP_WEIGHT
            slot = max(now, self._paused_until)
            interval = max(self._interval, self._spacing)
            if interval:
                slot = max(slot, self._next_slot)
                self._next_slot = slot + interval
            self._last_send = slot
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return max(0.0, delay)
