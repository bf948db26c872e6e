"""The bulk path end to end against a local batch stub: files, errors, expiry, retries, fallback."""

from __future__ import annotations

from stub_batches import ACCOUNT, NOW

from vtex_sync.bulk import flow
from vtex_sync.bulk.files import BulkKind
from vtex_sync.bulk.job import BatchSender
from vtex_sync.bulk.journal import BatchJournal, journal_key
from vtex_sync.erp import validate_rows
from vtex_sync.flows import commerce as com
from vtex_sync.flows.engine import plan

SKUS = {f"R{i}": str(100 + i) for i in range(5)}


def bind_parents(state) -> None:
    for ref, sku_id in SKUS.items():
        state.bind(ACCOUNT, "sku", ref, sku_id)
    for code in ("WH1", "WH2"):
        state.bind(ACCOUNT, "warehouse", code, code)


def price_plan(ctx, base: str = "10.00"):
    prices = validate_rows("prices", [
        {"sku_ref_id": ref, "base_price": base, "cost_price": "5.00", "list_price": "12.00",
         "updated_at": NOW}
        for ref in SKUS
    ]).valid
    fixed = validate_rows("fixed_prices", [
        {"sku_ref_id": "R1", "trade_policy_id": "2", "value": "9.50", "min_quantity": 1, "updated_at": NOW},
    ]).valid
    return plan(ctx, com.PRICES, com.price_records(prices, fixed))


def stock_plan(ctx, quantity: int = 7):
    rows = validate_rows("stock", [
        {"sku_ref_id": ref, "warehouse_code": wh, "quantity": quantity, "lead_time": "1.02:00:00",
         "updated_at": NOW}
        for ref in SKUS for wh in ("WH1", "WH2")
    ]).valid
    return plan(ctx, com.INVENTORY, rows)


def run(ctx, spec, planned, run_key="run1", part="0"):
    return flow.run_blocking(ctx, spec, planned, run_key=run_key, part=part, poll_interval=0.01)


def test_prices_go_as_two_files_and_a_second_run_sends_nothing(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    outcome = run(ctx, com.PRICES, price_plan(ctx))
    assert outcome.counts["created"] == 5 and not outcome.failures
    assert sorted(b.kind for b in stub.batches.values()) == ["base-prices", "fixed-prices"]
    assert len(stub.uploads) == 2 and not stub.leaked_credentials
    assert stub.prices["101"]["base-prices"]["Cost Price"] == "5"
    assert stub.prices["101"]["fixed-prices"]["Trade Policy"] == "2"
    assert stub.count("PUT", f"/{ACCOUNT}/pricing/prices/") == 0  # no per-SKU call

    calls = len(stub.calls)
    again = price_plan(make_ctx())
    assert {p.action for p in again} == {"unchanged"}
    assert run(make_ctx(), com.PRICES, again).counts["unchanged"] == 5
    assert len(stub.calls) == calls  # no batch, no call
    assert not state.intents(ACCOUNT, "bulk_batch")  # journal emptied


def test_every_error_row_is_a_failure_with_its_erp_key_code_and_message(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    stub.fail_skus = {"102": ("INVALID_PRICE", "Base Price must be positive")}
    outcome = run(ctx, com.PRICES, price_plan(ctx))
    reasons = [(f.key, f.reason) for f in outcome.failures]
    assert reasons == [("R2", "INVALID_PRICE Base Price must be positive")]
    assert "base-prices batch" in outcome.failures[0].call
    assert outcome.counts["failed"] == 1 and outcome.counts["created"] == 4
    assert state.get_binding(ACCOUNT, "price", "R2").status == "failed"
    # the failed record is sent again next time, the others are not
    again = price_plan(make_ctx())
    assert [p.key for p in again if p.action != "unchanged"] == ["R2"]


def test_an_expired_upload_url_starts_a_new_batch_and_uploads_once(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    stub.expire_next = 1
    outcome = run(ctx, com.PRICES, price_plan(ctx))
    assert not outcome.failures and outcome.counts["created"] == 5
    expired = [b for b in stub.batches.values() if not b.body]
    assert len(expired) == 1 and expired[0].status == "AWAITING_UPLOAD"  # the first batch never got a file
    assert len(stub.uploads) == 2  # one per file, none to the expired URL


def test_a_task_killed_while_polling_resumes_the_same_batch_without_uploading_again(stub, make_ctx, state):
    bind_parents(state)
    stub.polls_to_finish = 3
    first = flow.start(make_ctx(), com.PRICES, price_plan(make_ctx()), run_key="run1", part="0")
    ids = sorted(s.batch_id for s in first.sent)
    assert len(stub.uploads) == 1  # base prices first; fixed prices wait for them
    # the worker dies here; the retried task plans again and resumes
    retry = flow.start(make_ctx(), com.PRICES, price_plan(make_ctx()), run_key="run1", part="0")
    assert sorted(s.batch_id for s in retry.sent) == ids
    assert len(stub.uploads) == 1 and len(stub.batches) == 1
    from vtex_provider.triggers.vtex_batch import wait_blocking

    ctx = make_ctx()
    report, following = flow.finish(ctx, com.PRICES, retry, wait_blocking(
        ctx.hook, [s.pair for s in retry.sent], poll_interval=0.01), run_key="run1", part="0")
    assert report.counts["created"] == 4  # R1 has a fixed price: it finishes with the next phase
    assert following is not None and [s.kind for s in following.sent] == [BulkKind.FIXED_PRICES]
    event = wait_blocking(ctx.hook, [s.pair for s in following.sent], poll_interval=0.01)
    last, done = flow.finish(ctx, com.PRICES, following, event, run_key="run1", part="0")
    assert done is None and last.counts["created"] == 1 and not last.failures
    assert len(stub.uploads) == 2


def test_stock_in_one_confirmed_batch_with_iso_lead_times(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    outcome = run(ctx, com.INVENTORY, stock_plan(ctx))
    assert outcome.counts["created"] == 10 and not outcome.failures
    (batch,) = stub.batches.values()
    assert batch.status == "COMPLETED" and b"P1DT2H" in batch.body
    assert stub.count("POST", f"/{ACCOUNT}/availability/v1/inventory/batch/") == 1  # one confirm
    assert stub.count("PUT", "/api/logistics/pvt/inventory/skus/") == 0


def test_batch_inventory_refused_falls_back_to_the_per_item_put(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    stub.refuse_inventory = True
    outcome = run(ctx, com.INVENTORY, stock_plan(ctx))
    assert outcome.counts["created"] == 10 and not outcome.failures
    assert stub.count("PUT", "/api/logistics/pvt/inventory/skus/") == 10
    assert not state.intents(ACCOUNT, "bulk_batch")


def test_batch_inventory_off_or_small_runs_stay_per_record(make_ctx):
    spec = com.INVENTORY
    assert flow.choose(make_ctx(batch_inventory=False), spec, 10_000) is flow.Mode.PER_RECORD
    assert flow.choose(make_ctx(bulk_threshold=1000), spec, 999) is flow.Mode.PER_RECORD
    assert flow.choose(make_ctx(bulk_threshold=1000), spec, 1000) is flow.Mode.BULK
    assert flow.choose(make_ctx(bulk_threshold=1000), com.PRICES, 5000) is flow.Mode.BULK


def test_rows_vtex_skipped_are_read_back_and_reported(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    stub.skip_rows = {"103|WH2"}
    outcome = run(ctx, com.INVENTORY, stock_plan(ctx))
    assert outcome.counts["skipped_by_vtex"] == 1
    assert [f.key for f in outcome.failures] == ["R3|WH2"]
    assert "per-item API" in outcome.failures[0].reason
    assert outcome.counts["created"] == 9


def test_inventory_error_rows_name_the_stock_row(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    stub.fail_skus = {"104": ("INVALID_QUANTITY", "quantity cannot be negative: -50")}
    outcome = run(ctx, com.INVENTORY, stock_plan(ctx))
    assert sorted(f.key for f in outcome.failures) == ["R4|WH1", "R4|WH2"]
    assert {f.reason for f in outcome.failures} == {"INVALID_QUANTITY quantity cannot be negative: -50"}


def test_journal_keys_are_per_run_step_batch_and_file(make_ctx):
    ctx = make_ctx()
    journal = BatchJournal(ctx.state, ctx.account)
    key = journal_key("manual__1", "price", "3/10", BulkKind.BASE_PRICES.value)
    assert key == "manual__1|price|3/10|base-prices"
    assert journal.get(key) == (None, False)
    assert BatchSender(ctx).send(key, BulkKind.BASE_PRICES, None) is None


def test_bulk_pricing_refused_falls_back_to_the_per_item_put(stub, make_ctx, state):
    ctx = make_ctx()
    bind_parents(state)
    stub.refuse_pricing = True
    outcome = run(ctx, com.PRICES, price_plan(ctx))
    assert outcome.counts["created"] == 5 and not outcome.failures
    assert stub.count("PUT", f"/{ACCOUNT}/pricing/prices/") == 5
