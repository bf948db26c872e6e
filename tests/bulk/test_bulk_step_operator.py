"""The price step as the DAG runs it: BulkStepOperator defers, is killed, is retried, finishes."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from airflow.sdk.exceptions import TaskDeferred
from stub_batches import ACCOUNT, NOW

from vtex_demo.generator import load_into
from vtex_sync.airflow.bulk import BulkStepOperator

SKUS = {f"R{i}": str(200 + i) for i in range(6)}


@pytest.fixture
def wired(tmp_path, stub, conn_id, state, monkeypatch):
    erp_url = f"sqlite:///{tmp_path / 'erp.db'}"
    load_into(erp_url, {
        "prices": [{"sku_ref_id": ref, "base_price": "20.00", "cost_price": "8.00", "updated_at": NOW}
                   for ref in SKUS],
        "fixed_prices": [],
    })
    for ref, sku_id in SKUS.items():
        state.bind(ACCOUNT, "sku", ref, sku_id)
    conn = json.loads(os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"])
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_DEFAULT", json.dumps(conn))
    monkeypatch.setenv("AIRFLOW_CONN_ERP_DEFAULT", json.dumps(
        {"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}}))
    monkeypatch.setenv("AIRFLOW_CONN_VTEX_STATE", json.dumps(
        {"conn_type": "generic", "extra": {"url": state.url}}))
    monkeypatch.setenv("AIRFLOW_VAR_VTEX_SYNC_SETTINGS", json.dumps({"bulk_threshold": 5}))
    return stub


def context() -> dict:
    return {"params": {}, "run_id": "manual__2026-01-01T00:00:00+00:00"}


async def fire(trigger):
    async for event in trigger.run():
        return event.payload
    return None


def test_a_retried_task_resumes_the_same_batch_and_uploads_once(wired, state):
    stub = wired
    stub.polls_to_finish = 2
    first = BulkStepOperator(task_id="prices", step="prices", poll_interval=0.01)
    with pytest.raises(TaskDeferred) as deferred:
        first.execute(context())
    batches = deferred.value.trigger.batches
    assert len(stub.uploads) == 1 and [api for api, _ in batches] == ["bulk_pricing"]

    # the worker (or the triggerer) dies while the batch is processed; Airflow retries the task
    retry = BulkStepOperator(task_id="prices", step="prices", poll_interval=0.01)
    with pytest.raises(TaskDeferred) as again:
        retry.execute(context())
    assert again.value.trigger.batches == batches
    assert len(stub.uploads) == 1 and len(stub.batches) == 1

    event = asyncio.run(fire(again.value.trigger))
    result = retry.execute_complete(context(), event, **again.value.kwargs)
    assert result["counts"]["created"] == 6 and result["failures"] == []
    assert all(state.get_binding(ACCOUNT, "price", ref).payload_hash for ref in SKUS)

    # the next run plans nothing: no batch, no call
    calls = len(stub.calls)
    assert BulkStepOperator(task_id="prices", step="prices").execute(context())["counts"]["unchanged"] == 6
    assert len(stub.calls) == calls


def test_below_the_threshold_the_task_writes_per_record_without_deferring(wired, monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_VTEX_SYNC_SETTINGS", json.dumps({"bulk_threshold": 1000}))
    result = BulkStepOperator(task_id="prices", step="prices").execute(context())
    assert result["counts"]["created"] == 6
    assert wired.count("PUT", f"/{ACCOUNT}/pricing/prices/") == 6 and not wired.batches


def test_a_step_left_out_is_skipped_and_one_with_nothing_to_do_says_so_once(wired, monkeypatch, caplog):
    import logging

    from airflow.sdk.exceptions import AirflowSkipException

    monkeypatch.setenv("AIRFLOW_VAR_VTEX_SYNC_SETTINGS", json.dumps({"bulk_threshold": 1000}))
    with pytest.raises(AirflowSkipException):
        left_out = {**context(), "params": {"entities": ["skus"]}}
        BulkStepOperator(task_id="prices", step="prices").execute(left_out)
    BulkStepOperator(task_id="prices", step="prices").execute(context())
    caplog.set_level(logging.INFO)
    caplog.clear()
    BulkStepOperator(task_id="prices", step="prices").execute(context())
    lines = [r.getMessage() for r in caplog.records
             if r.name.startswith("vtex_") and r.levelno >= logging.INFO]
    assert lines == ["prices: nothing to do (6 record(s) read, all unchanged)"], lines
