"""The engine's executor: a bounded thread pool for one step's VTEX calls, and their count.

One record failing never stops the others: each item comes back as a `Result` holding its
value or its exception, in input order. The exception is VTEX rejecting the credentials
(`VtexAuthError`): no item after it is started and it is raised, so the run stops at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Result(Generic[T, R]):
    """What one item of `Executor.map` came to: a value or an error."""

    item: T
    value: R | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _no_calls() -> int:
    return 0


class Executor:
    """Runs a function over items on up to `max_workers` threads.

    :param max_workers: the pool's size (the step's concurrency against VTEX).
    :param calls: how many VTEX calls have been sent so far (e.g. the hook's counter); read by
        `calls` so a step can report the calls it made.
    """

    def __init__(self, max_workers: int = 8, calls: Callable[[], int] = _no_calls) -> None:
        self.max_workers = max(1, max_workers)
        self._calls = calls

    @property
    def calls(self) -> int:
        """VTEX calls sent so far (a step subtracts the count it started with)."""
        return self._calls()

    def map(
        self, fn: Callable[[T], R], items: Iterable[T], *, max_workers: int | None = None
    ) -> list[Result[T, R]]:
        """`fn` over `items` on the pool; results keep input order, failures are returned, not raised."""
        from vtex_provider.exceptions import VtexAuthError

        todo = list(items)
        fatal: list[VtexAuthError] = []

        def run_one(item: T) -> Result[T, R]:
            if fatal:
                return Result(item, error=fatal[0])
            try:
                return Result(item, value=fn(item))
            except VtexAuthError as exc:  # no retry and no other record can succeed
                fatal.append(exc)
                return Result(item, error=exc)
            except Exception as exc:  # noqa: BLE001 - one item's failure is its result
                return Result(item, error=exc)

        if not todo:
            return []
        workers = max(1, min(max_workers or self.max_workers, len(todo)))
        if workers == 1:
            results = [run_one(item) for item in todo]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vtex") as pool:
                results = list(pool.map(run_one, todo))
        if fatal:
            raise fatal[0]
        return results
