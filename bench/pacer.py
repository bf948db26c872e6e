"""How close the hook's pacing runs to a route's limit, and how many 429s it pays for it.

Tasks (each one `Pacer`, as each task process has its own hook) share one route whose limit
is the sandbox's token bucket (`vtex_sandbox.ratelimit`, the Catalog per-route limit at the
given scale). Each task's threads send calls of the given latency for the given seconds,
exactly as `VtexHook` drives its pacer: wait for a turn, send, a 429 is `throttled` by its
`Retry-After`, any other answer `delivered`. It prints the delivered rate against the limit and
the 429s per thousand delivered calls. The route starts with the credits given by `--credits`
(0: the state in which the limit binds, after the burst is spent).
"""

from __future__ import annotations

import argparse
import math
import threading
import time

from vtex_provider.hooks import retry
from vtex_provider.hooks.retry import FIRST_WINDOW, Pacer
from vtex_sandbox.ratelimit import CATALOG_PER_ROUTE, Bucket


class Route:
    """One rate-limited route: a token bucket behind a lock."""

    def __init__(self, per_minute: float, credits: float) -> None:
        self._lock = threading.Lock()
        self.bucket = Bucket(rate=per_minute / 60, capacity=max(1.0, per_minute), tokens=credits)
        self.delivered = 0
        self.refused = 0
        self.refused_at: list[float] = []

    def take(self) -> tuple[bool, float]:
        """``(allowed, Retry-After)`` for a call arriving now."""
        with self._lock:
            self.bucket.refill()
            if self.bucket.tokens >= 1:
                self.bucket.tokens -= 1
                self.delivered += 1
                return True, 0.0
            self.refused += 1
            self.refused_at.append(time.monotonic())
            return False, float(self.bucket.retry_after())


def run_task(route: Route, pacer: Pacer, threads: int, latency: float, until: float) -> None:
    def worker() -> None:
        while time.monotonic() < until:
            pacer.wait_turn()
            try:
                time.sleep(latency / 2)  # the request travels
                allowed, retry_after = route.take()
                time.sleep(latency / 2)  # the answer travels
                if allowed:
                    pacer.delivered()
                else:
                    pacer.throttled(retry_after)
            finally:
                pacer.answered()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate-limit-scale", type=float, default=0.5)
    parser.add_argument("--credits", type=float, default=0)
    parser.add_argument("--stagger", type=float, default=0.0, help="seconds between task starts")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override one of the pacing constants in vtex_provider.hooks.retry")
    args = parser.parse_args()
    for assignment in args.set:
        name, value = assignment.split("=")
        setattr(retry, name, float(value))

    per_minute = CATALOG_PER_ROUTE[0] * args.rate_limit_scale
    route = Route(per_minute, args.credits)
    started = time.monotonic()
    until = started + args.seconds
    tasks = []
    latency = args.latency_ms / 1000
    for _ in range(args.tasks):
        pacer = Pacer(args.threads, first_window=FIRST_WINDOW)
        task = threading.Thread(target=run_task, args=(route, pacer, args.threads, latency, until))
        tasks.append(task)
        task.start()
        time.sleep(args.stagger)
    for task in tasks:
        task.join()
    elapsed = time.monotonic() - started
    offered = args.credits + per_minute / 60 * elapsed
    print(f"{args.tasks} tasks x {args.threads} threads, {args.latency_ms:g} ms, "
          f"limit {per_minute:,.0f}/min, {elapsed:.1f} s")
    print(f"delivered {route.delivered:,} of {math.floor(offered):,} the route allowed: "
          f"{route.delivered / offered:.3f}")
    spans = [0] * math.ceil(elapsed / 5)
    for moment in route.refused_at:
        spans[min(int((moment - started) / 5), len(spans) - 1)] += 1
    print("429s per 5 s:", " ".join(str(n) for n in spans))
    per_thousand = 1000 * route.refused / max(route.delivered, 1)
    print(f"429s: {route.refused:,} = {per_thousand:.1f} per 1,000 delivered")


if __name__ == "__main__":
    main()
