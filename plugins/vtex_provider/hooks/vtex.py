"""VtexHook: authenticated, retrying HTTP access to a VTEX account."""

from __future__ import annotations

import json
import os
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

import requests
import tenacity
import urllib3
from airflow.providers.http.hooks.http import HttpHook
from airflow.sdk.exceptions import AirflowException
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri

from vtex_provider.exceptions import (
    VtexAmbiguousWriteError,
    VtexApiError,
    VtexAuthError,
    error_for_status,
    parse_error_body,
)
from vtex_provider.hooks.retry import (
    FIRST_WINDOW,
    RETRYABLE_STATUSES,
    SAFE_METHODS,
    CallStats,
    Pacer,
    RateLimitState,
    RetryPolicy,
    StatsRecorder,
    is_never_sent,
    read_rate_limit,
    retry_after_seconds,
)

# store: {account}.{environment}.com.br; pricing: api.vtex.com/{account};
# logistics: logistics.{environment}.com.br/{account} (batch inventory)
Api = Literal["store", "pricing", "logistics"]

DEFAULT_ENVIRONMENT = "vtexcommercestable"
PRICING_HOST = "https://api.vtex.com"
APP_KEY_HEADER = "X-VTEX-API-AppKey"
APP_TOKEN_HEADER = "X-VTEX-API-AppToken"
CONN_FIELDS = ("account_name", "environment", "base_url")
REDACTED = "***"
NO_RETRIES = urllib3.Retry(0, read=False, redirect=False)  # the hook's own loop retries


@dataclass(frozen=True)
class _Settings:
    account: str
    store_url: str
    pricing_url: str
    logistics_url: str
    app_key: str
    app_token: str


@dataclass(frozen=True)
class _Call:
    """One request as the retry loop sends it."""

    method: str
    url: str
    path: str  # the path as logs and errors show it (no query, no base URL)
    api: Api
    json: Any
    params: dict[str, Any] | None
    data: str | bytes | None
    headers: dict[str, str] | None


class _RetryableFailure(Exception):
    """Internal: one attempt failed in a way that may be retried."""

    def __init__(self, reason: str, error: Exception, wait_hint: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.wait_hint = wait_hint


def conn_extra_value(extra: dict[str, Any], name: str) -> str | None:
    """Read a form field stored in extra, as plain `name` or `extra__vtex__name`."""
    for key in (name, f"extra__vtex__{name}"):
        value = extra.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return None


class VtexHook(HttpHook):
    """
    Talk to one VTEX account through a `vtex` Airflow connection.

    The connection holds the app key (login), the app token (password) and, in
    extra, `account_name`, `environment` and an optional `base_url` override.
    Nothing is resolved until the first request.

    :param vtex_conn_id: the Airflow connection id.
    :param max_workers: threads expected to share the hook: sizes the connection pool and the pacing.
    :param timeout: (connect, read) timeout in seconds for every call.
    :param retry: retry policy; defaults to `RetryPolicy()`.
    """

    conn_name_attr = "vtex_conn_id"
    default_conn_name = "vtex_default"
    conn_type = "vtex"
    hook_name = "VTEX"

    def __init__(
        self,
        vtex_conn_id: str = default_conn_name,
        *,
        max_workers: int = 8,
        timeout: float | tuple[float, float] = (5, 30),
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(method="GET", http_conn_id=vtex_conn_id, tcp_keep_alive=False)
        self.vtex_conn_id = vtex_conn_id
        self.max_workers = max_workers
        self.timeout = timeout
        self.retry_policy = retry or RetryPolicy()
        self._settings: _Settings | None = None
        self._session: requests.Session | None = None
        self._init_lock = threading.Lock()
        self._stats = StatsRecorder()
        self._rate_limit: RateLimitState | None = None
        self._proxies: dict[str, dict[str, str]] = {}  # by host, from the environment
        self._pools: dict[tuple[str, str], Any] = {}  # by (scheme, host): the adapter's urllib3 pools
        self._urllib3_timeout: urllib3.Timeout | None = None
        self._pacers = {
            api: Pacer(max_workers, first_window=FIRST_WINDOW) for api in ("store", "pricing", "logistics")
        }

    def pace(self, api: Api = "store") -> tuple[float, float] | None:
        """What this hook learnt of `api`'s limit from 429s (``(spacing, in flight)``), for the
        next task on the same route to start at (`resume_pace`); None when it met no 429."""
        return self._pacers[api].pace()

    def resume_pace(self, spacing: float, in_flight: float, api: Api = "store") -> None:
        self._pacers[api].resume(spacing, in_flight)

    # -- connection -------------------------------------------------------------------------

    def _resolve(self) -> _Settings:
        if self._settings is None:
            with self._init_lock:
                if self._settings is None:
                    self._settings = self._read_connection()
        return self._settings

    def _read_connection(self) -> _Settings:
        conn = self.get_connection(self.vtex_conn_id)
        extra = dict(conn.extra_dejson or {})
        account = conn_extra_value(extra, "account_name")
        if not account:
            raise AirflowException(f"Connection {self.vtex_conn_id!r} has no account_name in extra")
        environment = conn_extra_value(extra, "environment") or DEFAULT_ENVIRONMENT
        base_url = conn_extra_value(extra, "base_url") or _host_url(conn.host, conn.schema, conn.port)
        app_key, app_token = conn.login or "", conn.password or ""
        _mask(app_token)
        _mask(app_key)
        if base_url:
            store_url = base_url.rstrip("/")
            pricing_url = logistics_url = f"{store_url}/{account}"
        else:
            store_url = f"https://{account}.{environment}.com.br"
            pricing_url = f"{PRICING_HOST}/{account}"
            logistics_url = f"https://logistics.{environment}.com.br/{account}"
        self.base_url = store_url
        return _Settings(account, store_url, pricing_url, logistics_url, app_key, app_token)

    @property
    def account(self) -> str:
        """The VTEX account name from the connection."""
        return self._resolve().account

    def base_url_for(self, api: Api) -> str:
        """Base URL of the store APIs, of Pricing or of the logistics host (batch inventory)."""
        settings = self._resolve()
        if api == "pricing":
            return settings.pricing_url
        return settings.logistics_url if api == "logistics" else settings.store_url

    def get_conn(self, headers: dict[Any, Any] | None = None, extra_options: dict | None = None):
        """Return the hook's shared `requests.Session` (created once, with auth headers)."""
        if self._session is None:
            settings = self._resolve()
            with self._init_lock:
                if self._session is None:
                    self._session = self._build_session(settings)
        return self._session

    def _build_session(self, settings: _Settings) -> requests.Session:
        session = requests.Session()
        pool = max(self.max_workers, 10)
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # what Session.request would read from the environment on every call, read once
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.headers.update(
            {
                "Accept": "application/json",
                "Content-Type": "application/json",
                APP_KEY_HEADER: settings.app_key,
                APP_TOKEN_HEADER: settings.app_token,
            }
        )
        return session

    def test_connection(self) -> tuple[bool, str]:
        """Check credentials with a cheap catalog read (trade policy list)."""
        try:
            self.request("GET", "/api/catalog_system/pvt/saleschannel/list")
        except Exception as exc:
            return False, self.redact(str(exc))
        return True, "Connection successfully tested"

    # -- counters ---------------------------------------------------------------------------

    @property
    def stats(self) -> CallStats:
        """Calls sent, retries by reason (`429`, `5xx`, `timeout`, `connection`, `locked`), waits."""
        return self._stats.snapshot()

    @property
    def rate_limit(self) -> RateLimitState | None:
        """Latest `Ratelimit-*` headers seen (Pricing), for pacing."""
        return self._rate_limit

    def record_rate_limit(self, response: requests.Response) -> None:
        state = read_rate_limit(response.headers)
        if state is not None:
            self._rate_limit = state

    # -- requests ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        api: Api = "store",
        json: Any = None,
        params: dict[str, Any] | None = None,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
        expect: Sequence[int] = (200, 201, 202, 204),
    ) -> requests.Response:
        """
        Send one VTEX call with retries and return the response.

        A status in `expect` (or any 2xx) is success. 429 is always retried after
        `Retry-After`. 5xx, 408, 423, timeouts and dropped connections are retried
        only when the call is safe to repeat (GET/PUT/DELETE/HEAD, or `idempotent=True`);
        otherwise a `VtexAmbiguousWriteError` is raised at once. Other 4xx raise at once.
        """
        url = self.base_url_for(api) + path
        call = _Call(method.upper(), url, _path_only(path), api, json, params, data, headers)
        return self._retrying(call, idempotent=idempotent, expect=expect)

    # HttpHook's entry points, so that no request path skips the retries and the pacing

    def run(
        self,
        endpoint: str | None = None,
        data: dict[str, Any] | str | None = None,
        headers: dict[str, Any] | None = None,
        extra_options: dict[str, Any] | None = None,
        **request_kwargs: Any,
    ) -> requests.Response:
        """`HttpHook.run` for this hook's `method`, through the same retries and pacing as `request`.

        As in `HttpHook`, `data` is the query of a GET and the body otherwise; ``json=`` and
        ``params=`` are accepted too, and ``api="pricing"`` routes to Pricing. A failure raises
        the hook's `VtexApiError` family (``extra_options={"check_response": False}`` is refused:
        an unchecked response would bypass the retry decisions).
        """
        if (extra_options or {}).get("check_response", True) is False:
            raise ValueError("VtexHook always checks responses; catch VtexApiError instead")
        api: Api = request_kwargs.pop("api", "store")
        json, params = request_kwargs.pop("json", None), request_kwargs.pop("params", None)
        if request_kwargs:
            raise TypeError(f"VtexHook.run does not take {sorted(request_kwargs)}")
        path = endpoint or ""
        path = path if path.startswith("/") else "/" + path
        if self.method in ("GET", "HEAD"):
            if isinstance(data, str):
                raise TypeError("a GET's data is its query: pass a dict")
            params = {**(data or {}), **(params or {})}
            data = None
        elif isinstance(data, dict):
            json, data = (data if json is None else json), None
        return self.request(self.method, path, api=api, json=json, params=params or None, data=data,
                            headers=headers)

    def run_and_check(
        self,
        session: requests.Session,
        prepped_request: requests.PreparedRequest,
        extra_options: dict[Any, Any],
    ) -> requests.Response:
        """Send an already prepared request through the same retries and pacing as `request`."""
        url = prepped_request.url or ""
        api: Api = next(
            (a for a in ("pricing", "logistics") if url.startswith(self.base_url_for(a) + "/")), "store"
        )
        shown = _path_only(url.removeprefix(self.base_url_for(api)))
        body = prepped_request.body
        headers = dict(prepped_request.headers)
        call = _Call(prepped_request.method or "GET", url, shown, api, None, None, body, headers)
        return self._retrying(call, idempotent=None, expect=(200, 201, 202, 204))

    def run_with_advanced_retry(
        self, _retry_args: dict[Any, Any], *args: Any, **kwargs: Any
    ) -> requests.Response:
        """`run`: the hook's own `RetryPolicy` applies; `_retry_args` is not stacked on top of it
        (that would multiply the attempts and wait past a 429's `Retry-After`)."""
        self.log.debug("VtexHook retries by its own policy; ignoring _retry_args %s", sorted(_retry_args))
        return self.run(*args, **kwargs)

    def _retrying(self, call: _Call, *, idempotent: bool | None, expect: Sequence[int]) -> requests.Response:
        method = call.method
        safe = (method in SAFE_METHODS) if idempotent is None else idempotent
        session = self.get_conn()
        policy = self.retry_policy
        shown_path = call.path
        pacer = self._pacers[call.api]

        def attempt() -> requests.Response:
            pacer.wait_turn()
            try:
                response = self._attempt(session, call, shown_path, safe, expect)
            except _RetryableFailure as failure:
                if failure.reason == "429":
                    pacer.throttled(min(failure.wait_hint or policy.base_wait, policy.max_retry_after))
                raise
            else:
                pacer.delivered()
                return response
            finally:
                pacer.answered()
                if self._rate_limit is not None and call.api == "pricing":
                    pacer.observe(self._rate_limit)

        retrying = tenacity.Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_RetryableFailure),
            before_sleep=lambda state: self._before_sleep(state, method, shown_path),
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _RetryableFailure as failure:
            raise failure.error from None

    def _attempt(
        self, session: requests.Session, call: _Call, path: str, safe: bool, expect: Sequence[int]
    ) -> requests.Response:
        self._stats.count_call()
        method = call.method
        try:
            response = self._transmit(session, call)
        except requests.Timeout as exc:
            reason = "connection" if isinstance(exc, requests.ConnectTimeout) else "timeout"
            raise self._transport_failure(reason, exc, method, path, safe) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # a body cut short is a lost response: the call may have been applied
            raise self._transport_failure("connection", exc, method, path, safe) from None
        self.record_rate_limit(response)
        status = response.status_code
        if status in expect or 200 <= status < 300:
            return response
        code, message = parse_error_body(response.text)
        message = self.redact(message) if message else message
        if status == 429:
            error = error_for_status(status, method, path, code, message)
            raise _RetryableFailure("429", error, retry_after_seconds(response.headers))
        if status >= 500 or status in RETRYABLE_STATUSES:
            reason = {408: "timeout", 423: "locked"}.get(status, "5xx")
            if not safe:
                raise VtexAmbiguousWriteError(method, path, status, code, message)
            raise _RetryableFailure(reason, error_for_status(status, method, path, code, message))
        if status in (401, 403):
            raise VtexAuthError(method, path, status, code, message, conn_id=self.vtex_conn_id)
        raise error_for_status(status, method, path, code, message)

    def _transmit(self, session: requests.Session, call: _Call) -> requests.Response:
        """Send one attempt. Without a proxy for the host, straight through the session's urllib3
        connection pool (kept per host): what `Session.request` and the adapter would add per call
        (merging the environment, preparing and re-validating every header, cookies) costs more
        CPU than the call's own work; the request is the same. With a proxy, through the adapter."""
        url = call.url
        parts = urlsplit(url)
        proxies = self._proxies.get(parts.netloc)
        if proxies is None:
            proxies = self._proxies[parts.netloc] = requests.utils.get_environ_proxies(url)
        if proxies:
            return self._transmit_prepared(session, call, proxies)
        headers: Any = session.headers
        if call.headers:
            headers = CaseInsensitiveDict(headers)
            headers.update(call.headers)
        body: Any = call.data
        if call.json is not None:
            body = json.dumps(call.json, allow_nan=False).encode("utf-8")
        target = requote_uri(parts.path or "/")
        query = "&".join(q for q in (parts.query, urlencode(
            [(k, v) for k, v in (call.params or {}).items() if v is not None], doseq=True)) if q)
        if query:
            target += "?" + query
        pool = self._pool(session, parts.scheme, parts.netloc)
        try:
            raw = pool.urlopen(
                call.method, target, body=body, headers=dict(headers.items()), redirect=False,
                assert_same_host=False, preload_content=True, decode_content=True, retries=NO_RETRIES,
                timeout=self._timeout(), chunked=False,
            )
        except (urllib3.exceptions.ProtocolError, OSError) as error:
            raise requests.ConnectionError(error) from None
        except urllib3.exceptions.MaxRetryError as error:
            if isinstance(error.reason, urllib3.exceptions.ConnectTimeoutError) and not isinstance(
                    error.reason, urllib3.exceptions.NewConnectionError):
                raise requests.ConnectTimeout(error) from None
            if isinstance(error.reason, urllib3.exceptions.SSLError):
                raise requests.exceptions.SSLError(error) from None
            raise requests.ConnectionError(error) from None
        except urllib3.exceptions.ClosedPoolError as error:
            self._pools.pop((parts.scheme, parts.netloc), None)
            raise requests.ConnectionError(error) from None
        except urllib3.exceptions.SSLError as error:
            raise requests.exceptions.SSLError(error) from None
        except urllib3.exceptions.ReadTimeoutError as error:
            raise requests.ReadTimeout(error) from None
        response = requests.Response()
        response.status_code = raw.status
        response.headers = raw.headers  # urllib3's, case-insensitive too
        response._content = raw.data
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.reason = raw.reason or ""
        response.url = url
        response.raw = raw
        return response

    def _pool(self, session: requests.Session, scheme: str, netloc: str) -> Any:
        """The session adapter's urllib3 pool for one host, with the session's TLS settings."""
        pool = self._pools.get((scheme, netloc))
        if pool is None:
            url = f"{scheme}://{netloc}/"
            adapter = session.get_adapter(url)
            if not isinstance(adapter, HTTPAdapter):
                raise TypeError(f"{url}: the session's adapter is not an HTTPAdapter")
            verify = True if session.verify is None else session.verify
            probe = requests.Request("GET", url).prepare()
            pool = adapter.get_connection_with_tls_context(probe, verify, proxies=None, cert=None)
            adapter.cert_verify(pool, url, verify, None)
            self._pools[(scheme, netloc)] = pool
        return pool

    def _timeout(self) -> urllib3.Timeout:
        if self._urllib3_timeout is None:
            connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout, self.timeout)
            self._urllib3_timeout = urllib3.Timeout(connect=connect, read=read)
        return self._urllib3_timeout

    def _transmit_prepared(
        self, session: requests.Session, call: _Call, proxies: dict[str, str]
    ) -> requests.Response:
        """Through the session's adapter (the proxy is the adapter's business); redirects are
        not followed (VTEX's APIs answer without them)."""
        url = call.url
        prepared = requests.PreparedRequest()
        merged = {**session.headers, **call.headers} if call.headers else session.headers
        prepared.prepare(
            method=call.method, url=url, headers=merged, params=call.params, json=call.json, data=call.data
        )
        response = session.get_adapter(url).send(
            prepared, timeout=self.timeout, verify=True if session.verify is None else session.verify,
            proxies=proxies,
        )
        response.content  # noqa: B018 - read the body now: the connection goes back to the pool
        return response

    def _transport_failure(
        self, reason: str, exc: requests.RequestException, method: str, path: str, safe: bool
    ) -> Exception:
        detail = f"{type(exc).__name__} ({reason})"
        if safe or is_never_sent(exc):
            return _RetryableFailure(reason, VtexApiError(method, path, None, None, detail))
        return VtexAmbiguousWriteError(method, path, None, None, detail)

    def _attempt_limit(self, state: tenacity.RetryCallState) -> int:
        policy = self.retry_policy
        failure = state.outcome.exception() if state.outcome else None
        rate_limited = getattr(failure, "reason", None) == "429"
        return max(1, policy.max_rate_limited_attempts if rate_limited else policy.max_attempts)

    def _stop(self, state: tenacity.RetryCallState) -> bool:
        return state.attempt_number >= self._attempt_limit(state)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        policy = self.retry_policy
        failure = state.outcome.exception() if state.outcome else None
        hint = getattr(failure, "wait_hint", None)
        if hint is not None:
            # a little jitter so the threads that waited together don't all come back at once
            return min(hint + random.uniform(0, min(1.0, hint / 4)), policy.max_retry_after)
        backoff = tenacity.wait_random_exponential(multiplier=policy.base_wait, max=policy.max_wait)
        return max(policy.base_wait / 2, backoff(state))

    def _before_sleep(self, state: tenacity.RetryCallState, method: str, path: str) -> None:
        failure = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        reason = getattr(failure, "reason", "error")
        status = getattr(getattr(failure, "error", None), "status", None)
        self._stats.count_retry(reason, wait)
        got = "no response" if status is None else str(status)
        if reason != got:
            got += f" ({reason})"
        # one line per retry at DEBUG: the step logs its retries by reason once (`stats`)
        self.log.debug(
            "VTEX %s %s got %s; retry %d/%d in %.1fs",
            method,
            path,
            got,
            state.attempt_number,
            self._attempt_limit(state) - 1,
            wait,
        )

    # -- helpers ----------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """Replace the app key and token in `text`, if they appear."""
        settings = self._settings
        if settings is None or not text:
            return text
        for secret in (settings.app_token, settings.app_key):
            if secret:
                text = text.replace(secret, REDACTED)
        return text


def _host_url(host: str | None, schema: str | None, port: int | None) -> str | None:
    if not host:
        return None
    url = host if "://" in host else f"{schema or 'https'}://{host}"
    return f"{url}:{port}" if port else url


def _path_only(path: str) -> str:
    return urlsplit(path).path


def _mask(secret: str) -> None:
    if not secret:
        return
    from airflow.sdk.log import mask_secret

    mask_secret(secret)
