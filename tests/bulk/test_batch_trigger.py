"""The deferrable pieces: the trigger polls in an event loop, the operator defers and resumes."""

from __future__ import annotations

import asyncio

import pytest
from airflow.sdk.exceptions import TaskDeferred

from vtex_provider.clients.bulk_pricing import BulkPricingClient
from vtex_provider.hooks.vtex import VtexHook
from vtex_provider.models.bulk import PriceImportType
from vtex_provider.operators.vtex_batch import BatchTicket, VtexBatchOperator
from vtex_provider.triggers.vtex_batch import VtexBatchTrigger

CSV = b"SKU ID,Cost Price,Base Price,List Price,Child Account\n1,1,2,,\n"


def started_batch(conn_id: str) -> str:
    return BulkPricingClient(VtexHook(conn_id)).import_csv(PriceImportType.BASE, CSV).batch_id


async def first_event(trigger: VtexBatchTrigger):
    async for event in trigger.run():
        return event
    return None


def test_the_trigger_serializes_and_fires_once_every_batch_is_terminal(stub, conn_id):
    stub.polls_to_finish = 3
    batch_id = started_batch(conn_id)
    trigger = VtexBatchTrigger(batches=[["bulk_pricing", batch_id]], vtex_conn_id=conn_id, poll_interval=0.01)
    path, kwargs = trigger.serialize()
    assert path == "vtex_provider.triggers.vtex_batch.VtexBatchTrigger"
    event = asyncio.run(first_event(VtexBatchTrigger(**kwargs)))
    (status,) = event.payload["batches"]
    assert status["batchId"] == batch_id and status["status"] == "COMPLETED"
    assert stub.count("GET", f"/api/price-importer/pvt/batches/{batch_id}") == 3


def test_an_unknown_batch_ends_the_wait_with_an_error(stub, conn_id):
    missing = [["bulk_pricing", "missing"]]
    trigger = VtexBatchTrigger(batches=missing, vtex_conn_id=conn_id, poll_interval=0.01)
    event = asyncio.run(first_event(trigger))
    assert event.payload["batches"][0]["status"] == "ERROR"


def test_a_batch_that_never_finishes_times_out(stub, conn_id):
    stub.polls_to_finish = 10**6
    trigger = VtexBatchTrigger(batches=[["bulk_pricing", started_batch(conn_id)]], vtex_conn_id=conn_id,
                               poll_interval=0.01, timeout=0.1)
    assert asyncio.run(first_event(trigger)).payload["batches"][0]["status"] == "TIMEOUT"


class OneImport(VtexBatchOperator):
    """Uploads one file; the result is the batch's final status."""

    def start_batches(self, context):
        return BatchTicket([["bulk_pricing", started_batch(self.vtex_conn_id)]], {"rows": 1})

    def finish_batches(self, context, ticket, event):
        return {"rows": ticket.state["rows"], "status": event["batches"][0]["status"]}


def test_the_operator_defers_to_the_trigger_and_finishes_from_its_event(stub, conn_id):
    op = OneImport(task_id="prices", vtex_conn_id=conn_id, poll_interval=0.01)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({})
    trigger = deferred.value.trigger
    assert isinstance(trigger, VtexBatchTrigger) and deferred.value.method_name == "execute_complete"
    event = asyncio.run(first_event(trigger))
    result = getattr(op, deferred.value.method_name)({}, event.payload, **deferred.value.kwargs)
    assert result == {"rows": 1, "status": "COMPLETED"}
    assert len(stub.uploads) == 1


def test_the_operator_can_wait_in_the_worker_instead(stub, conn_id):
    op = OneImport(task_id="prices", vtex_conn_id=conn_id, poll_interval=0.01, deferrable=False)
    assert op.execute({}) == {"rows": 1, "status": "COMPLETED"}
