"""VtexHook against a real local HTTP server: auth, routing, retries, errors, secrets."""

from __future__ import annotations

import logging
import time

import pytest
from vtex_fakes import ACCOUNT, APP_KEY, APP_TOKEN, FAST_RETRY

from vtex_provider.exceptions import (
    VtexAmbiguousWriteError,
    VtexApiError,
    VtexNotFoundError,
    VtexRateLimitError,
)
from vtex_provider.hooks.retry import RetryPolicy
from vtex_provider.hooks.vtex import VtexHook


def test_auth_headers_sent_and_form_fields_not_leaked_as_headers(server, hook):
    hook.request("GET", "/api/catalog/pvt/category/1")
    headers = {k.lower(): v for k, v in server.requests[0].headers.items()}
    assert headers["x-vtex-api-appkey"] == APP_KEY
    assert headers["x-vtex-api-apptoken"] == APP_TOKEN
    assert headers["accept"] == "application/json"
    assert "account_name" not in headers and "base_url" not in headers
    assert "authorization" not in headers


def test_store_and_pricing_routing(server, hook):
    hook.request("GET", "/api/catalog/pvt/product/7")
    hook.request("GET", "/pricing/prices/7", api="pricing")
    assert [r.path for r in server.requests] == ["/api/catalog/pvt/product/7", f"/{ACCOUNT}/pricing/prices/7"]
    assert hook.account == ACCOUNT


def test_default_urls_without_override(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_VTEX_REAL",
        '{"conn_type": "vtex", "login": "k", "password": "t", '
        '"extra": {"extra__vtex__account_name": "shop"}}',
    )
    hook = VtexHook("vtex_real")
    assert hook.base_url_for("store") == "https://shop.vtexcommercestable.com.br"
    assert hook.base_url_for("pricing") == "https://api.vtex.com/shop"


def test_connection_resolved_lazily(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_VTEX_MISSING", raising=False)
    hook = VtexHook("vtex_missing")  # must not raise
    with pytest.raises(Exception, match="vtex_missing"):
        hook.request("GET", "/api/catalog/pvt/category/1")


def test_429_waits_retry_after_then_succeeds(server, hook):
    server.reply(429, {"error": "too many"}, headers={"Retry-After": "2"})
    server.reply(200, {"ok": True})
    started = time.monotonic()
    response = hook.request("GET", "/api/oms/pvt/orders/1")
    elapsed = time.monotonic() - started
    assert response.json() == {"ok": True}
    assert 1.8 <= elapsed <= 4
    assert hook.stats.retries == {"429": 1}
    assert 2 <= hook.stats.waited_seconds <= 2.5  # Retry-After plus a little jitter


def test_429_on_plain_post_is_retried_because_it_was_not_processed(server, hook):
    server.reply(429, headers={"Retry-After": "0"})
    server.reply(200, {"Id": 5})
    assert hook.request("POST", "/api/catalog/pvt/brand", json={"Name": "x"}).json() == {"Id": 5}
    assert len(server.requests) == 2


def test_429_falls_back_to_ratelimit_reset_and_gives_up_as_rate_limit_error(server, hook):
    """A 429 was not processed, so it gets more attempts than an error before giving up."""
    assert FAST_RETRY.max_rate_limited_attempts > FAST_RETRY.max_attempts
    for _ in range(FAST_RETRY.max_rate_limited_attempts):
        server.reply(429, headers={"Ratelimit-Reset": "0.05", "Ratelimit-Remaining": "0"})
    with pytest.raises(VtexRateLimitError) as info:
        hook.request("PUT", "/pricing/prices/1", api="pricing", json={})
    assert info.value.status == 429
    assert len(server.requests) == FAST_RETRY.max_rate_limited_attempts
    assert hook.rate_limit is not None and hook.rate_limit.remaining == 0


def test_503_retried_then_succeeds(server, hook):
    server.reply(503, "Service Unavailable")
    server.reply(200, {"Id": 1})
    assert hook.request("GET", "/api/catalog/pvt/category/1").json() == {"Id": 1}
    assert len(server.requests) == 2
    assert hook.stats.retries == {"5xx": 1}
    assert hook.stats.calls == 2


def test_503_exhausted_raises_api_error_with_status(server, hook):
    for _ in range(FAST_RETRY.max_attempts):
        server.reply(502, "bad gateway")
    with pytest.raises(VtexApiError) as info:
        hook.request("DELETE", "/api/catalog/pvt/brand/3")
    assert info.value.status == 502
    assert not isinstance(info.value, VtexAmbiguousWriteError)


def test_post_create_on_503_is_ambiguous_and_not_repeated(server, hook):
    server.reply(503, "Service Unavailable")
    server.reply(200, {"Id": 99})
    with pytest.raises(VtexAmbiguousWriteError) as info:
        hook.request("POST", "/api/catalog/pvt/product", json={"Name": "x"})
    assert len(server.requests) == 1
    assert info.value.status == 503 and info.value.method == "POST"


def test_post_create_read_timeout_is_ambiguous(server, vtex_conn):
    hook = VtexHook(vtex_conn, retry=FAST_RETRY, timeout=(2, 0.3))
    server.reply(200, {"Id": 1}, delay=1.0)
    with pytest.raises(VtexAmbiguousWriteError, match="timeout"):
        hook.request("POST", "/api/catalog/pvt/stockkeepingunit", json={})
    assert len(server.requests) == 1


def test_get_read_timeout_is_retried(server, vtex_conn):
    hook = VtexHook(vtex_conn, retry=FAST_RETRY, timeout=(2, 0.3))
    server.reply(200, {"late": True}, delay=1.0)
    server.reply(200, {"late": False})
    assert hook.request("GET", "/api/oms/pvt/orders/1").json() == {"late": False}
    assert hook.stats.retries == {"timeout": 1}


def test_idempotent_post_is_retried(server, hook):
    server.reply(500, {"error": {"code": "X", "message": "boom"}})
    server.reply(200, {"receipt": "r1"})
    response = hook.request("POST", "/api/oms/pvt/orders/1/invoice", json={}, idempotent=True)
    assert response.json() == {"receipt": "r1"}
    assert [r.method for r in server.requests] == ["POST", "POST"]


def test_inventory_lock_423_is_retried(server, hook):
    server.reply(423, "Unable to acquire lock for key: acme_item_logistics_1_w1.")
    server.reply(200, True)
    assert hook.request("PUT", "/api/logistics/pvt/inventory/skus/1/warehouses/w1", json={}).json() is True
    assert hook.stats.retries == {"locked": 1}


def test_connection_refused_is_retried_even_for_post(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_VTEX_DOWN",
        '{"conn_type": "vtex", "login": "k", "password": "t", '
        '"extra": {"account_name": "a", "base_url": "http://127.0.0.1:9"}}',
    )
    hook = VtexHook("vtex_down", retry=FAST_RETRY)
    with pytest.raises(VtexApiError) as info:
        hook.request("POST", "/api/catalog/pvt/product", json={})
    assert not isinstance(info.value, VtexAmbiguousWriteError)
    assert hook.stats.retries == {"connection": FAST_RETRY.max_attempts - 1}


def test_400_raises_at_once_with_vtex_code_and_message(server, hook):
    server.reply(400, {"error": {"code": "CHK0023", "message": "Invalid quantity", "exception": None}})
    with pytest.raises(VtexApiError) as info:
        hook.request("PUT", "/api/catalog/pvt/product/1", json={})
    assert len(server.requests) == 1
    assert info.value.status == 400
    assert info.value.code == "CHK0023"
    assert "Invalid quantity" in str(info.value) and "CHK0023" in str(info.value)


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ({"Message": "Field 'foo' not found in schema"}, None, "Field 'foo' not found in schema"),
        ("Unable to acquire lock", None, "Unable to acquire lock"),
        ({"type": "about:blank", "title": "Unauthorized", "status": 401}, "about:blank", "Unauthorized"),
    ],
)
def test_error_body_shapes(server, hook, body, code, message):
    server.reply(401, body)
    with pytest.raises(VtexApiError) as info:
        hook.request("GET", "/api/dataentities/CL/search")
    assert (info.value.code, info.value.message) == (code, message)


def test_404_is_not_found_error(server, hook):
    server.reply(404, "")
    with pytest.raises(VtexNotFoundError):
        hook.request("GET", "/api/catalog/pvt/product/404")


def test_app_token_never_in_logs_or_exceptions(server, hook, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    server.reply(503, f"upstream echoed {APP_TOKEN}")
    server.reply(503, f"upstream echoed {APP_TOKEN}")
    server.reply(503, f"upstream echoed {APP_TOKEN}")
    with pytest.raises(VtexApiError) as info:
        hook.request("GET", "/api/catalog/pvt/product/1", params={"secret": "q"})
    server.reply(400, {"Message": f"bad key {APP_KEY} / {APP_TOKEN}"})
    with pytest.raises(VtexApiError) as second:
        hook.request("POST", "/api/dataentities/CL/documents", json={})
    captured = capsys.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert sum(hook.stats.retries.values()) == 2  # both retries happened (each logged at DEBUG)
    for text in (logs, str(info.value), repr(info.value), str(second.value), repr(second.value)):
        assert APP_TOKEN not in text
    assert APP_KEY not in str(second.value)
    assert "secret=q" not in str(info.value) + captured.out


def test_executor_keeps_order_isolates_failures_and_counts_the_hook_s_calls(server, hook):
    from vtex_sync.executor import Executor

    def fetch(n: int) -> int:
        if n == 3:
            raise ValueError("bad item")
        hook.request("GET", f"/api/catalog/pvt/stockkeepingunit/{n}")
        return n * 10

    executor = Executor(3, calls=lambda: hook.stats.calls)
    results = executor.map(fetch, range(6))
    assert [r.item for r in results] == list(range(6))
    assert [r.value for r in results if r.ok] == [0, 10, 20, 40, 50]
    assert isinstance(results[3].error, ValueError) and not results[3].ok
    assert hook.stats.calls == executor.calls == 5


def test_connection_reused_across_calls(server, hook):
    for _ in range(3):
        hook.request("GET", "/api/catalog/pvt/category/1")
    assert hook.get_conn() is hook.get_conn()
    ports = {r.headers.get("X-Client-Port") for r in server.requests}
    assert len(server.requests) == 3 and ports == {None}


def test_retry_policy_bounds_attempts(server, vtex_conn):
    hook = VtexHook(vtex_conn, retry=RetryPolicy(max_attempts=1))
    server.reply(503, "")
    with pytest.raises(VtexApiError):
        hook.request("GET", "/x")
    assert len(server.requests) == 1
