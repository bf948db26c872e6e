"""Upload and download through VTEX's pre-signed storage URLs (never with VTEX credentials).

The upload and error-report URLs of both batch APIs point straight at cloud storage: they
carry their own signature, so the app key and token must not be sent there.
"""

from __future__ import annotations

import logging

import requests
import tenacity

from vtex_provider.exceptions import VtexApiError
from vtex_provider.models.bulk import UploadTarget

log = logging.getLogger(__name__)

TIMEOUT = (10, 300)


class UploadUrlExpiredError(VtexApiError):
    """The pre-signed upload URL expired before the file got there: create a new batch."""


class _Retry(Exception):
    def __init__(self, error: VtexApiError) -> None:
        super().__init__(str(error))
        self.error = error


def _shown(url: str) -> str:
    """The URL without its query string (the signature is a credential too)."""
    return url.split("?", 1)[0]


class PresignedStorage:
    """PUT a file to, or GET a file from, a pre-signed URL; retries what is safe to repeat."""

    def __init__(self, session: requests.Session | None = None, attempts: int = 4, wait: float = 1.0) -> None:
        self.session = session or requests.Session()
        self.attempts = attempts
        self.wait = wait
        self.uploads = 0

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        def attempt() -> requests.Response:
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise _Retry(VtexApiError(method, _shown(url), None, None, type(exc).__name__)) from None
            if response.status_code >= 500 or response.status_code == 429:
                status, text = response.status_code, response.text[:200]
                raise _Retry(VtexApiError(method, _shown(url), status, None, text))
            return response

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_random_exponential(multiplier=self.wait, max=30),
            retry=tenacity.retry_if_exception_type(_Retry),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retry as failure:
            raise failure.error from None

    def upload(self, target: UploadTarget, data: bytes) -> None:
        """Send the file with the method and headers VTEX gave (a PUT: safe to repeat)."""
        shown = _shown(target.url)
        if target.expired():
            message = f"upload URL expired at {target.expires_at}"
            raise UploadUrlExpiredError("PUT", shown, None, "expired", message)
        headers = {"Content-Type": "text/csv", **target.headers}
        response = self._send(target.method or "PUT", target.url, data=data, headers=headers)
        self.uploads += 1
        if response.status_code in (401, 403) or (response.status_code == 400 and "xpired" in response.text):
            # storage answers 403 to an expired signature
            raise UploadUrlExpiredError("PUT", shown, response.status_code, "expired", response.text[:200])
        if not 200 <= response.status_code < 300:
            raise VtexApiError("PUT", shown, response.status_code, None, response.text[:200])
        log.info("uploaded %s bytes to %s", f"{len(data):,}", shown)

    def download(self, url: str) -> str:
        response = self._send("GET", url)
        if not 200 <= response.status_code < 300:
            raise VtexApiError("GET", _shown(url), response.status_code, None, response.text[:200])
        response.encoding = response.encoding or "utf-8"
        return response.content.decode("utf-8-sig")
