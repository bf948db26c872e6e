"""Feed -> inbox -> ERP: exactly once per order, every event committed, start handling once."""

from __future__ import annotations

from vtex_sync.orders.feed_config import configure_feed
from vtex_sync.orders.intake import drain_feed
from vtex_sync.orders.processing import process_inbox


def test_500_orders_with_duplicate_delivery_reach_the_erp_exactly_once(make_world) -> None:
    world = make_world(duplicate_feed_share=0.3)
    ctx = world.context(max_workers=8)
    configure_feed(ctx)
    order_ids = world.create_orders(500)
    world.admin.post("/_sandbox/stats/reset")

    intake = drain_feed(ctx, time_budget=120)
    result = process_inbox(ctx, time_budget=120)

    assert intake["duplicates"] > 0, "the sandbox should have delivered some events twice"
    assert intake["committed"] == intake["read"]
    assert result["done"] == 500 and result["failed"] == 0 and result["retry_later"] == 0
    rows = world.erp_rows("SELECT vtex_order_id, COUNT(*) FROM sales_orders GROUP BY vtex_order_id")
    assert sorted(r[0] for r in rows) == sorted(order_ids)
    assert {r[1] for r in rows} == {1}
    lines = world.erp_rows("SELECT COUNT(DISTINCT vtex_order_id) FROM sales_order_lines")[0][0]
    assert lines == 500
    assert world.route_calls("POST", "start-handling") == 500
    assert world.route_calls("POST", "start-handling", 204) == 500
    assert world.feed_quantity() == 0
    assert world.admin.get("/api/orders/feed", params={"maxlot": 10}).json() == []
    statuses = {world.order(oid)["status"] for oid in order_ids[:20]}
    assert statuses == {"handling"}
