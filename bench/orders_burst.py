"""Orders burst: N orders become ready-for-handling at once; how fast do they reach the ERP?

Sets up the tiny demo catalog in a sandbox (separate process), configures the feed, creates
the orders, makes them all ready at the same instant, then runs the order flow the way the
``vtex_orders_feed`` DAG does (drain the feed, then work through the inbox) until every order
is in the ERP. Prints orders per second, p50/p95 delays and VTEX calls per order.

    .venv/bin/python bench/orders_burst.py --orders 5000
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers


def connect(base_url: str, folder: Path, config: SandboxConfig) -> None:
    os.environ["AIRFLOW_CONN_VTEX_DEFAULT"] = json.dumps({
        "conn_type": "vtex", "login": config.app_key, "password": config.app_token,
        "extra": {"account_name": config.account, "base_url": base_url}})
    os.environ["AIRFLOW_CONN_ERP_DEFAULT"] = json.dumps({
        "conn_type": "generic", "extra": {"adapter": "sql", "url": f"sqlite:///{folder / 'erp.db'}"}})
    os.environ["AIRFLOW_CONN_VTEX_STATE"] = json.dumps({
        "conn_type": "generic", "extra": {"url": f"sqlite:///{folder / 'state.db'}"}})


def set_up_catalog() -> None:
    from vtex_sync.airflow.tasks import plan_batches, run_step
    from vtex_sync.steps import STEPS

    for step in STEPS:
        for batch in plan_batches(step.name, {}) if step.batched else [None]:
            run_step(step.name, {}, batch=batch)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def epoch(text: str) -> float:
    from vtex_sync.orders.mapping import parse_time

    return parse_time(text).timestamp()


def measure(folder: Path, order_ids: set[str]) -> tuple[list[float], list[float]]:
    """Delays (s) from ready-for-handling to the ERP row and to start-handling, per order."""
    with sqlite3.connect(folder / "state.db") as state, sqlite3.connect(folder / "erp.db") as erp:
        ready = {row[0]: epoch(json.loads(row[1])["currentChange"]) for row in state.execute(
            "SELECT order_id, payload FROM state_inbox WHERE state = 'ready-for-handling'")}
        handled = {row[0]: datetime.fromisoformat(row[1]).timestamp() for row in state.execute(
            "SELECT order_id, finished_at FROM state_writebacks WHERE action = 'start_handling'")}
        received = {row[0]: datetime.fromisoformat(row[1]).timestamp() for row in erp.execute(
            "SELECT vtex_order_id, received_at FROM sales_orders")}
    to_erp = [received[o] - ready[o] for o in order_ids if o in received and o in ready]
    to_handling = [handled[o] - ready[o] for o in order_ids if o in handled and o in ready]
    return to_erp, to_handling


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added by the sandbox per request")
    args = parser.parse_args()

    from vtex_sync.airflow.connections import build_context
    from vtex_sync.context import SyncSettings
    from vtex_sync.orders.feed_config import configure_feed
    from vtex_sync.orders.intake import drain_feed
    from vtex_sync.orders.processing import process_inbox

    with tempfile.TemporaryDirectory(prefix="orders-burst-") as tmp:
        folder = Path(tmp)
        config = SandboxConfig(db_path=str(folder / "sandbox.db"), seed=5, order_clock=3600,
                               rate_limit_scale=0, latency_ms=args.latency_ms)
        load_into(f"sqlite:///{folder / 'erp.db'}", generate("tiny", 3))
        with SandboxServer(config, in_subprocess=True) as base_url:
            connect(base_url, folder, config)
            started = time.monotonic()
            set_up_catalog()
            print(f"catalog set up in {time.monotonic() - started:.1f}s")
            admin = httpx.Client(base_url=base_url, headers=auth_headers(config), timeout=300)
            ctx = build_context(settings=SyncSettings(max_workers=args.workers))
            configure_feed(ctx)
            order_ids: set[str] = set()
            while len(order_ids) < args.orders:
                count = min(500, args.orders - len(order_ids))
                order_ids |= set(admin.post("/_sandbox/orders", json={"count": count}).json()["orderIds"])
            drain_feed(ctx)  # nothing yet: the orders are waiting in window-to-cancel
            admin.post("/_sandbox/orders/ready").raise_for_status()
            calls_before = ctx.hook.stats.calls
            started = time.monotonic()
            in_erp = 0
            while in_erp < len(order_ids):
                drain_feed(ctx, time_budget=45)
                process_inbox(ctx, time_budget=240)
                with sqlite3.connect(folder / "erp.db") as erp:
                    in_erp = erp.execute("SELECT COUNT(*) FROM sales_orders").fetchone()[0]
            elapsed = time.monotonic() - started
            calls = ctx.hook.stats.calls - calls_before
            admin.close()
        to_erp, to_handling = measure(folder, order_ids)
    n = len(order_ids)
    minimum = 2 * -(-n // 10) + 2 * n
    print(f"orders: {n:,} in {elapsed:.1f}s -> {n / elapsed:,.0f} orders/s into the ERP "
          f"({args.workers} workers)")
    print(f"ready -> ERP row:       p50 {statistics.median(to_erp):.1f}s  p95 {percentile(to_erp, .95):.1f}s")
    print(f"ready -> start-handling: p50 {statistics.median(to_handling):.1f}s  "
          f"p95 {percentile(to_handling, .95):.1f}s")
    print(f"VTEX calls: {calls:,} = {calls / n:.2f} per order (minimum {minimum / n:.2f}: "
          f"feed GET/10 + commit/10 + get order + start handling)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
