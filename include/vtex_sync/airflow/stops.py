"""Expected stops: a task that ends for a reason the operator can act on says so in one line.

VTEX refusing the credentials, the blast-radius guard tripping and records failing past the
threshold are not bugs: Airflow's usual "Task failed with exception" and its stack trace only
hide the fix. Inside `expected_stops` such a stop is logged as one ERROR line carrying the fix,
and the task ends failed through `TaskStop`, a `SystemExit` (Airflow reports it as
"Task exited", without a traceback). `STOP_POLICY`, in every DAG's ``default_args``, fails a
stop at once; failed records are the exception: Airflow retries them as usual, and the next
attempt only re-sends what did not land.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from airflow.sdk.definitions.retry_policy import RetryDecision, RetryPolicy
from airflow.sdk.exceptions import AirflowFailException

log = logging.getLogger(__name__)


class TaskStop(SystemExit):
    """The task stops, failed, for the reason in `message` (``retry``: Airflow may retry it)."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(1)
        self.message = message
        self.retry = retry

    def __str__(self) -> str:
        return self.message


class StopPolicy(RetryPolicy):
    """Fail a `TaskStop` without retrying unless it allows retries; anything else as usual."""

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int,
                 context: Any = None) -> RetryDecision:
        if isinstance(exception, TaskStop) and not exception.retry:
            return RetryDecision.fail("an expected stop: retrying cannot fix it")
        return RetryDecision.default()

    def serialize(self) -> dict[str, Any]:
        return {}

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> StopPolicy:
        return cls()


STOP_POLICY = StopPolicy()


def stop(message: str, *, retry: bool = False) -> TaskStop:
    """Log the stop's one line and return the `TaskStop` to raise."""
    log.error("%s", message)
    return TaskStop(message, retry=retry)


@contextmanager
def expected_stops(ti: Any = None) -> Iterator[None]:
    """Turn the expected stops raised inside into a `TaskStop`. With `ti`, a task failed on its
    records first pushes its summary as its return value, so the run's summary counts them."""
    from vtex_provider.exceptions import VtexAuthError
    from vtex_sync.airflow.tasks import RecordsFailed
    from vtex_sync.flows.guard import BlastRadiusExceeded

    try:
        yield
    except RecordsFailed as error:
        if ti is not None:
            ti.xcom_push("return_value", error.result)
        raise stop(str(error), retry=True) from None
    except VtexAuthError as error:
        raise stop(str(error)) from None
    except BlastRadiusExceeded as error:
        raise stop(str(error)) from None
    except AirflowFailException as error:
        if isinstance(error.__cause__, BlastRadiusExceeded):
            raise stop(str(error)) from None
        raise
