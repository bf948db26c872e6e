"""Two confirms of one inventory batch at once (a task retried while its first try still confirms):
VTEX answers the second 423 Locked (guide batch-inventory-updates.md); the client waits, finds the
batch queued, and both end without error, the file processed once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.contract import contract_knobs
from vtex_provider.clients.batch_inventory import BatchInventoryClient
from vtex_provider.hooks.retry import RetryPolicy
from vtex_provider.hooks.vtex import VtexHook
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

ACCOUNT, APP_KEY, APP_TOKEN = "lockshop", "vtexappkey-lockshop", "lock-token"
WAITS = RetryPolicy(max_attempts=8, base_wait=0.2, max_wait=1, max_retry_after=2)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    config = SandboxConfig(account=ACCOUNT, app_key=APP_KEY, app_token=APP_TOKEN, rate_limit_scale=0,
                           bulk_confirm_seconds=1.5, **contract_knobs())
    server = SandboxServer(config)
    base_url = server.start()
    conn = {"conn_type": "vtex", "login": APP_KEY, "password": APP_TOKEN,
            "extra": {"account_name": ACCOUNT, "base_url": base_url}}
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_LOCK", json.dumps(conn))
    yield server
    server.stop()


def test_a_confirm_that_meets_a_confirm_in_progress_waits_and_both_succeed(sandbox: SandboxServer) -> None:
    hooks = [VtexHook("vtex_lock", retry=WAITS, timeout=(2, 10)) for _ in range(2)]
    first, second = (BatchInventoryClient(hook) for hook in hooks)
    created = first.create_batch()
    first.upload(created, b"item_id,account_name,container_id,quantity,unlimited,lead_time\n"
                          b"999,lockshop,WH,3,false,\n")  # fmt: skip
    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(client.confirm, created.batch_id) for client in (first, second)]
        for future in done:
            future.result()  # neither raises
    locked = sum(hook.stats.retries.get("locked", 0) for hook in hooks)
    assert locked >= 1, [hook.stats for hook in hooks]
    with httpx.Client(base_url=sandbox.base_url, headers=auth_headers(sandbox.config), timeout=10) as admin:
        admin.post("/_sandbox/orders/clock/advance", json={"seconds": 5}).raise_for_status()
        status = first.status(created.batch_id)
        confirms = [r for r in admin.get("/_sandbox/stats").json()["by_route"] if "confirm" in r["route"]]
    assert (status.status.value, status.row_count, status.processed_count) == ("COMPLETED_WITH_ERRORS", 1, 1)
    assert sorted({r["status"] for r in confirms}) == [202, 400, 423], confirms
