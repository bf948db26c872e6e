"""Exceptions raised by the VTEX provider.

Messages carry the HTTP method, the path (without query string) and VTEX's own
error code/message; they never carry credentials or request headers.
"""

from __future__ import annotations

import json
from typing import Any

try:
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
except ImportError:  # the clients and models also serve plain Python, without Airflow
    AirflowException = Exception  # type: ignore[misc,assignment]
    AirflowFailException = Exception  # type: ignore[misc,assignment]

_MAX_MESSAGE = 500


class VtexApiError(AirflowException):
    """A VTEX call failed with an HTTP error status."""

    def __init__(
        self,
        method: str,
        path: str,
        status: int | None,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"VTEX {self.method} {self.path} failed"
        if self.status is not None:
            text += f" with HTTP {self.status}"
        if self.code:
            text += f" [{self.code}]"
        if self.message:
            text += f": {self.message}"
        return text

    def __str__(self) -> str:
        return self._describe()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(method={self.method!r}, path={self.path!r}, "
            f"status={self.status!r}, code={self.code!r}, message={self.message!r})"
        )

    def __reduce__(self):
        return (type(self), (self.method, self.path, self.status, self.code, self.message))


class VtexNotFoundError(VtexApiError):
    """VTEX answered 404."""


class VtexAuthError(VtexApiError, AirflowFailException):
    """VTEX answered 401 or 403: the connection's credentials are wrong or lack a role.

    Fails the task at once without Airflow retries (no retry can fix a credential), and the
    hook stops every call still queued in the same batch.
    """

    def __init__(self, method: str, path: str, status: int | None, code: str | None = None,
                 message: str | None = None, conn_id: str = "vtex_default") -> None:
        self.conn_id = conn_id
        super().__init__(method, path, status, code, message)

    def _describe(self) -> str:
        what = "rejected the credentials" if self.status == 401 else "refused access (missing role?)"
        return (f"VTEX {what} of Airflow connection {self.conn_id!r} (HTTP {self.status} on "
                f"{self.method} {self.path}): fix the app key/token or its roles in that connection; "
                "the run stopped without retrying")

    def __reduce__(self):
        return (type(self), (self.method, self.path, self.status, self.code, self.message, self.conn_id))


class VtexConflictError(VtexApiError):
    """VTEX answered 409 (e.g. OMS003 on start-handling)."""


class VtexRateLimitError(VtexApiError):
    """VTEX kept answering 429 after every allowed retry."""


class VtexAmbiguousWriteError(VtexApiError):
    """A non-idempotent write failed in a way that leaves its effect unknown.

    The request may or may not have been applied (5xx, timeout or a dropped
    connection on a plain POST). Look the record up before trying again.
    """


def parse_error_body(body: str) -> tuple[str | None, str | None]:
    """Extract VTEX's error (code, message) from the body shapes its APIs use."""
    text = (body or "").strip()
    if not text:
        return None, None
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None, text[:_MAX_MESSAGE]
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            return _str_or_none(error.get("code")), _str_or_none(error.get("message"))
        if isinstance(error, str):
            return _str_or_none(data.get("code")), error[:_MAX_MESSAGE]
        for key in ("Message", "message", "title", "detail"):
            if isinstance(data.get(key), str):
                code = data.get("code") or data.get("Code") or data.get("type")
                return _str_or_none(code), data[key][:_MAX_MESSAGE]
    if isinstance(data, str):
        return None, data[:_MAX_MESSAGE]
    return None, text[:_MAX_MESSAGE]


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)[:_MAX_MESSAGE]


def error_for_status(
    status: int, method: str, path: str, code: str | None, message: str | None
) -> VtexApiError:
    """Build the most specific exception for an HTTP error status."""
    cls: type[VtexApiError] = {
        404: VtexNotFoundError,
        409: VtexConflictError,
        429: VtexRateLimitError,
    }.get(status, VtexApiError)
    return cls(method, path, status, code, message)
