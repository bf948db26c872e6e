"""The engine's executor: a bounded thread pool for one step's VTEX calls, and their count.

One record failing never stops the others: each item comes back as a `Result` holding its
value or its exception, in input order. The exception is VTEX rejecting the credentials
(`VtexAuthError`): no item after it is started and it is raised, so the run stops at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
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
        todo = list(items)
        if not todo:
            return []
        guard = _Guard()
        workers = max(1, min(max_workers or self.max_workers, len(todo)))
        if workers == 1:
            results = [guard.run(fn, item) for item in todo]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vtex") as pool:
                results = list(pool.map(lambda item: guard.run(fn, item), todo))
        guard.raise_fatal()
        return results

    @contextmanager
    def submitter(self) -> Iterator[Callable[[Callable[[], R]], Future[Result[None, R]]]]:
        """``submit(fn)`` onto the pool for the block, each call's `Result` in its future (for a
        caller that keeps the pool busy while it handles earlier results). A rejected credential
        stops every later call and is raised when the block ends."""
        guard = _Guard()
        if self.max_workers == 1:  # in the caller's thread, one call at a time

            def inline(fn: Callable[[], R]) -> Future[Result[None, R]]:
                future: Future[Result[None, R]] = Future()
                future.set_result(guard.run(lambda _: fn(), None))
                return future

            yield inline
        else:
            with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="vtex") as pool:

                def submit(fn: Callable[[], R]) -> Future[Result[None, R]]:
                    return pool.submit(guard.run, lambda _: fn(), None)

                yield submit
        guard.raise_fatal()


class _Guard:
    """One item's failure is its result; VTEX rejecting the credentials stops the ones after."""

    def __init__(self) -> None:
        self.fatal: list[BaseException] = []

    def run(self, fn: Callable[[T], R], item: T) -> Result[T, R]:
        from vtex_provider.exceptions import VtexAuthError

        if self.fatal:
            return Result(item, error=self.fatal[0])
        try:
            return Result(item, value=fn(item))
        except VtexAuthError as exc:  # no retry and no other record can succeed
            self.fatal.append(exc)
            return Result(item, error=exc)
        except Exception as exc:  # noqa: BLE001 - one item's failure is its result
            return Result(item, error=exc)

    def raise_fatal(self) -> None:
        if self.fatal:
            raise self.fatal[0]
