"""Nothing lost, nothing doubled: crashes between store and commit, lost events, faults."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from vtex_sync.orders import reconcile
from vtex_sync.orders.feed_config import configure_feed
from vtex_sync.orders.intake import drain_feed
from vtex_sync.orders.processing import process_inbox
from vtex_sync.orders.reconcile import reconcile_window


def erp_order_counts(world) -> dict[str, int]:
    rows = world.erp_rows("SELECT vtex_order_id, COUNT(*) FROM sales_orders GROUP BY vtex_order_id")
    return dict(rows)


def test_consumer_killed_between_store_and_commit_loses_and_doubles_nothing(world, monkeypatch) -> None:
    ctx = world.context()
    configure_feed(ctx, visibility_timeout=1)
    order_ids = world.create_orders(60)
    oms_class = type(ctx.clients.oms)
    real_commit = oms_class.commit_feed
    lots = []

    def commit_then_die(self, handles):
        lots.append(len(handles))
        if len(lots) == 3:
            raise SystemExit("worker killed before committing")
        return real_commit(self, handles)

    monkeypatch.setattr(oms_class, "commit_feed", commit_then_die)
    with pytest.raises(SystemExit):
        drain_feed(ctx, time_budget=30)
    monkeypatch.setattr(oms_class, "commit_feed", real_commit)
    stored_before_crash = len(ctx.state.inbox_pending(ctx.account, limit=1000))
    assert stored_before_crash == 30  # three lots stored, the third never committed

    time.sleep(1.2)  # the uncommitted lot becomes visible again
    restarted = world.context()
    intake = drain_feed(restarted, time_budget=30)
    result = process_inbox(restarted, time_budget=60)

    assert intake["duplicates"] == 10  # the redelivered lot was recognised
    assert result["done"] == 60
    assert erp_order_counts(world) == {order_id: 1 for order_id in order_ids}
    assert world.route_calls("POST", "start-handling") == 60
    assert world.feed_quantity() == 0


def test_reconcile_sweep_repairs_orders_whose_feed_events_were_lost(world) -> None:
    ctx = world.context()
    configure_feed(ctx)
    kept = world.create_orders(5)
    drain_feed(ctx)
    process_inbox(ctx)
    lost = world.create_orders(25)
    assert world.admin.post("/_sandbox/feed/drop").json()["dropped"] >= 25
    assert drain_feed(ctx)["read"] == 0

    now = datetime.now(UTC)
    first = reconcile_window(ctx, now - timedelta(hours=1), now + timedelta(minutes=1))
    again = reconcile_window(ctx, now - timedelta(hours=1), now + timedelta(minutes=1))

    assert first["listed"] == 30 and first["out_of_step"] == 25 and first["repaired"] == 25
    assert again["out_of_step"] == 0
    assert erp_order_counts(world) == {order_id: 1 for order_id in kept + lost}
    assert {world.order(order_id)["status"] for order_id in lost} == {"handling"}
    assert world.route_calls("POST", "start-handling") == 30


def test_sweep_splits_windows_beyond_the_30_page_cap(world, monkeypatch) -> None:
    ctx = world.context()
    order_ids = []
    for _ in range(40):
        order_ids += world.create_orders(1, ready=False)
        time.sleep(0.003)
    monkeypatch.setattr(reconcile, "PER_PAGE", 1)
    monkeypatch.setattr(reconcile, "SMALLEST_WINDOW", timedelta(milliseconds=2))
    now = datetime.now(UTC)

    listed = [s.order_id for s in reconcile.orders_in_window(ctx.clients.oms, now - timedelta(hours=1),
                                                             now + timedelta(minutes=1))]

    assert sorted(listed) == sorted(order_ids)


def test_windows_that_share_a_bound_lose_no_order(world) -> None:
    """A bound just past the millisecond an order was created in: neither side may drop it."""
    ctx = world.context()
    order_ids = world.create_orders(5, ready=False)
    created = [datetime.fromisoformat(world.order(o)["creationDate"]) for o in order_ids]
    inside = next(c for c in created if c.microsecond % 1000)
    bound = inside.replace(microsecond=inside.microsecond // 1000 * 1000) + timedelta(microseconds=1100)
    hour = timedelta(hours=1)
    before = [s.order_id for s in reconcile.orders_in_window(ctx.clients.oms, bound - hour, bound)]
    after = [s.order_id for s in reconcile.orders_in_window(ctx.clients.oms, bound, bound + hour)]
    assert sorted(set(before + after)) == sorted(order_ids)


def test_faults_change_nothing_in_the_outcome(make_world) -> None:
    world = make_world(duplicate_feed_share=0.2)
    ctx = world.context()
    configure_feed(ctx, visibility_timeout=1)
    order_ids = world.create_orders(80)
    rounds = 0
    while rounds < 10:
        rounds += 1
        world.faults(error_5xx=0.08, rate_429=0.08, lost_response=0.08)
        drain_feed(ctx, time_budget=20)
        process_inbox(ctx, time_budget=30, lease_seconds=1)
        world.faults()  # the test's own checks go without faults
        if not ctx.state.inbox_pending(ctx.account) and world.feed_quantity() == 0 and \
                len(erp_order_counts(world)) == 80:
            break
        time.sleep(1.1)
    process_inbox(ctx, lease_seconds=0)

    assert erp_order_counts(world) == {order_id: 1 for order_id in order_ids}
    assert {world.order(order_id)["status"] for order_id in order_ids} == {"handling"}
    rows = world.admin.get("/_sandbox/stats").json()["by_route"]
    by_status = {r["status"]: r["count"] for r in rows
                 if r["method"] == "POST" and r["route"].endswith("start-handling")}
    applied = sum(count for status, count in by_status.items() if status not in (409, 429, 503))
    assert applied == 80, by_status  # each order moved to handling by exactly one call
    assert world.feed_quantity() == 0
