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
