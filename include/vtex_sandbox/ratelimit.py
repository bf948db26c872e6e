"""Token buckets at VTEX's documented rate limits (scaled by ``rate_limit_scale``)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

# (requests per minute, burst credits or None = a full minute's worth)
CATALOG_PER_ROUTE = (15_000, None)
CATALOG_PER_ACCOUNT = (45_000, None)
PRICING_WRITE = (2_000, 500)
PRICING_DELETE = (1_000, 300)
OMS_GET_ORDER = (6_000, None)


@dataclass
class Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def retry_after(self) -> int:
        return max(1, math.ceil((1 - self.tokens) / self.rate))

    def reset_after(self) -> int:
        return max(0, math.ceil((self.capacity - self.tokens) / self.rate))


@dataclass
class Decision:
    allowed: bool
    retry_after: int = 0
    headers: dict[str, str] = field(default_factory=dict)


def limits_for(method: str, route: str) -> list[tuple[str, tuple[int, int | None]]]:
    """The buckets a request draws from, keyed by name."""
    if route.startswith("/api/catalog"):
        return [(f"catalog {method} {route}", CATALOG_PER_ROUTE), ("catalog account", CATALOG_PER_ACCOUNT)]
    if route.startswith("/pricing"):
        if method in ("PUT", "POST", "PATCH"):
            return [(f"pricing {method} {route}", PRICING_WRITE)]
        if method == "DELETE":
            return [(f"pricing {method} {route}", PRICING_DELETE)]
    if method == "GET" and route == "/api/oms/pvt/orders/{orderId}":
        return [("oms get order", OMS_GET_ORDER)]
    return []


class RateLimiter:
    """Decides whether a request may run now; one instance per sandbox (= one account)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._buckets: dict[str, Bucket] = {}

    def _bucket(self, name: str, per_minute: int, burst: int | None) -> Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            capacity = max(1.0, (burst if burst is not None else per_minute) * self.scale)
            bucket = Bucket(rate=per_minute / 60 * self.scale, capacity=capacity, tokens=capacity)
            self._buckets[name] = bucket
        return bucket

    def check(self, method: str, route: str) -> Decision:
        rules = limits_for(method, route)
        if self.scale <= 0 or not rules:
            return Decision(True)
        buckets = [self._bucket(name, per_minute, burst) for name, (per_minute, burst) in rules]
        for bucket in buckets:
            bucket.refill()
        short = [b for b in buckets if b.tokens < 1]
        if not short:
            for bucket in buckets:
                bucket.tokens -= 1
        first = buckets[0]
        headers: dict[str, str] = {}
        if route.startswith("/pricing"):
            headers = {
                "Ratelimit-Limit": str(int(first.capacity)),
                "Ratelimit-Remaining": str(max(0, int(first.tokens))),
                "Ratelimit-Reset": str(first.reset_after()),
            }
        if short:
            retry_after = max(b.retry_after() for b in short)
            headers["Retry-After"] = str(retry_after)
            return Decision(False, retry_after, headers)
        return Decision(True, 0, headers)
