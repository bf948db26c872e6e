"""Every request path of VtexHook, HttpHook's inherited ones included, retries and paces alike."""

from __future__ import annotations

import pytest
import requests
import tenacity
from vtex_fakes import ACCOUNT, APP_TOKEN, FAST_RETRY

from vtex_provider.exceptions import VtexAmbiguousWriteError, VtexApiError
from vtex_provider.hooks.vtex import VtexHook


def test_run_retries_a_429_and_a_5xx_like_request(server, hook):
    server.reply(429, {"error": "slow down"}, headers={"Retry-After": "0"})
    server.reply(503, {"error": "busy"})
    server.reply(200, {"Id": 7})
    hook.method = "GET"

    response = hook.run("api/catalog/pvt/category/7", data={"an": "query"})

    assert response.json() == {"Id": 7}
    assert hook.stats.retries == {"429": 1, "5xx": 1} and hook.stats.calls == 3
    assert [(r.method, r.path, r.query) for r in server.requests] == [
        ("GET", "/api/catalog/pvt/category/7", {"an": ["query"]})] * 3


def test_run_posts_its_data_as_json_and_never_repeats_an_ambiguous_post(server, hook):
    server.reply(503, {"error": "busy"})
    hook.method = "POST"

    with pytest.raises(VtexAmbiguousWriteError):
        hook.run("/api/catalog/pvt/brand", data={"Name": "Acme"})

    assert [(r.method, r.body) for r in server.requests] == [("POST", {"Name": "Acme"})]


def test_run_with_advanced_retry_does_not_stack_a_second_retry_loop(server, hook):
    for _ in range(FAST_RETRY.max_attempts):
        server.reply(500, {"error": "down"})
    hook.method = "GET"
    retry_args = {"stop": tenacity.stop_after_attempt(5),
                  "retry": tenacity.retry_if_exception_type(Exception)}

    with pytest.raises(VtexApiError):
        hook.run_with_advanced_retry(retry_args, endpoint="/api/catalog/pvt/category/1")

    assert len(server.requests) == FAST_RETRY.max_attempts, "the hook's own policy, once"


def test_run_and_check_sends_a_prepared_request_through_the_same_loop(server, hook):
    server.reply(429, headers={"Retry-After": "0"})
    server.reply(200, {"ok": True})
    session = hook.get_conn()
    prepared = session.prepare_request(
        requests.Request("GET", hook.base_url_for("pricing") + "/pricing/prices/9")
    )

    response = hook.run_and_check(session, prepared, {})

    assert response.json() == {"ok": True}
    assert hook.stats.retries == {"429": 1}
    assert server.requests[-1].path == f"/{ACCOUNT}/pricing/prices/9"


def test_run_refuses_an_unchecked_response_and_unknown_arguments(hook):
    with pytest.raises(ValueError, match="always checks"):
        hook.run("/x", extra_options={"check_response": False})
    with pytest.raises(TypeError, match="stream"):
        hook.run("/x", stream=True)


def test_errors_from_run_carry_no_secret(server, hook):
    server.reply(401, {"message": f"bad token {APP_TOKEN}"})
    hook.method = "GET"
    with pytest.raises(VtexApiError) as info:
        hook.run("/api/catalog/pvt/category/1")
    assert APP_TOKEN not in str(info.value)


def test_the_hook_is_still_an_http_hook():
    from airflow.providers.http.hooks.http import HttpHook

    assert issubclass(VtexHook, HttpHook)
