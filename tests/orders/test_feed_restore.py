"""An expired feed configuration (feed read 404) is set again by the feed run, not failed on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vtex_sync.orders.feed_config import configure_feed
from vtex_sync.orders.feed_run import drain_and_process
from vtex_sync.orders.reconcile import reconcile_window


def test_feed_run_restores_an_expired_feed_and_the_sweep_repairs_the_gap(world) -> None:
    ctx = world.context()
    configure_feed(ctx)
    world.admin.delete("/api/orders/feed/config").raise_for_status()  # VTEX expired it
    during_gap = world.create_orders(4)  # no feed: these events are gone

    first = drain_and_process(ctx, feed_seconds=20, process_seconds=30)
    after = world.create_orders(5)
    second = drain_and_process(ctx, feed_seconds=20, process_seconds=30)
    now = datetime.now(UTC)
    sweep = reconcile_window(ctx, now - timedelta(hours=1), now + timedelta(minutes=1))

    assert first["feed"]["restored"] == 1 and first["feed"]["read"] == 0
    assert second["feed"]["restored"] == 0 and second["inbox"]["done"] == 5
    assert world.admin.get("/api/orders/feed/config").status_code == 200
    assert sweep["repaired"] == 4
    rows = dict(world.erp_rows("SELECT vtex_order_id, COUNT(*) FROM sales_orders GROUP BY vtex_order_id"))
    assert rows == {order_id: 1 for order_id in during_gap + after}
