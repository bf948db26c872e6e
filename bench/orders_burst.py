"""Orders burst: N orders become ready-for-handling; how fast do they reach the ERP?

Sets up the tiny demo catalog in a sandbox (separate process). With `--spread S` the orders are
placed evenly over S seconds (in small lots twice a second) and each becomes ready-for-handling
0.2 s after its payment, as VTEX's order clock would move them; with `--spread 0` they are all
placed first and made ready at the same instant. The order flow runs until every order is in
the ERP:

- ``--mode hook``: the sandbox delivers VTEX's hook notifications to the real receiver app
  (a separate uvicorn process) which stores them in the inbox; the inbox watcher's real trigger
  (``InboxEventTrigger``) wakes a run of the inbox processing, as the ``vtex_orders_inbox`` DAG
  does (one run at a time; events arriving meanwhile are taken by it or wake the next one).
  ``--run-start`` adds the time Airflow takes from the trigger's event to the task running.
  (The feed is not configured in this mode: the sandbox shares the machine's cores.)
- ``--mode feed``: the feed alone, as ``vtex_orders_feed`` runs (a run every minute that drains
  the feed and processes the inbox at the same time).

Prints orders per second, p50/p95 delays from ready-for-handling to the ERP row and to
start-handling, VTEX calls per order, and the ratios to the targets: p95 against 10 s (hook) or
60 s (feed), and the throughput against OMS's 6,000 get-order calls a minute and against what
this machine allows. The processing's own rate is measured first in the same run (``--ceiling
N`` ready orders put straight into the inbox and processed, no hook or feed traffic beside it);
in hook mode the rate at which the sandbox delivered the notifications is printed too: on one
machine the sandbox's deliveries share the cores with the flow, and an order cannot reach the
ERP before its notification. The state store is a throwaway PostgreSQL database
(``--state sqlite`` for a SQLite file); the ERP is SQLite.

    .venv/bin/python bench/orders_burst.py --mode hook --orders 5000 --spread 100
    .venv/bin/python bench/orders_burst.py --mode feed --orders 5000 --spread 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from vtex_demo.generator import generate, load_into
from vtex_sandbox import server as sandbox_server
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers, free_port

PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
P95_TARGET_S = {"hook": 10.0, "feed": 60.0}
OMS_GET_ORDERS_PER_S = 6000 / 60
HOOK_SECRET = "bench-hook-secret"


def connect(base_url: str, folder: Path, config: SandboxConfig, state_url: str, hook_url: str) -> None:
    os.environ["AIRFLOW_CONN_VTEX_DEFAULT"] = json.dumps({
        "conn_type": "vtex", "login": config.app_key, "password": config.app_token,
        "extra": {"account_name": config.account, "base_url": base_url}})
    os.environ["AIRFLOW_CONN_ERP_DEFAULT"] = json.dumps({
        "conn_type": "generic", "extra": {"adapter": "sql", "url": f"sqlite:///{folder / 'erp.db'}"}})
    os.environ["AIRFLOW_CONN_VTEX_STATE"] = json.dumps({"conn_type": "generic", "extra": {"url": state_url}})
    os.environ["AIRFLOW_CONN_VTEX_ORDERS_HOOK"] = json.dumps({
        "conn_type": "generic", "password": HOOK_SECRET, "extra": {"url": hook_url}})


@contextmanager
def state_database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'state.db'}"
        return
    from vtex_local.databases import create_database, database_url, drop_database

    name = f"orders_burst_{uuid.uuid4().hex[:10]}"
    create_database(PG_ADMIN, name)
    try:
        yield database_url(PG_ADMIN, name).render_as_string(hide_password=False)
    finally:
        drop_database(PG_ADMIN, name)


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


def when(value: datetime | str) -> float:
    """Epoch seconds of a stored time (PostgreSQL gives datetimes, SQLite text; UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def delivery_rate(state_url: str, order_ids: set[str]) -> float:
    """Notifications per second from the first order ready to the last notification stored."""
    from sqlalchemy import create_engine, text

    engine = create_engine(state_url)
    with engine.connect() as state:
        rows = [(row[0], json.loads(row[1])["currentChange"], when(row[2])) for row in state.execute(text(
            "SELECT order_id, payload, received_at FROM state_inbox WHERE state = 'ready-for-handling'"))]
    engine.dispose()
    mine = [(epoch(change), received) for order_id, change, received in rows if order_id in order_ids]
    return len(mine) / max(1e-6, max(r for _, r in mine) - min(c for c, _ in mine))


def measure(folder: Path, state_url: str, order_ids: set[str]) -> tuple[list[float], list[float], float]:
    """Delays (s) from ready-for-handling to the ERP row and to start-handling, per order, and the
    span from the first order ready to the last ERP row."""
    from sqlalchemy import create_engine, text

    engine = create_engine(state_url)
    with engine.connect() as state:
        ready = {row[0]: epoch(json.loads(row[1])["currentChange"]) for row in state.execute(text(
            "SELECT order_id, payload FROM state_inbox WHERE state = 'ready-for-handling'"))}
        handled = {row[0]: when(row[1]) for row in state.execute(text(
            "SELECT order_id, finished_at FROM state_writebacks WHERE action = 'start_handling'"))}
    engine.dispose()
    with sqlite3.connect(folder / "erp.db") as erp:
        received = {row[0]: when(row[1]) for row in erp.execute(
            "SELECT vtex_order_id, received_at FROM sales_orders")}
    to_erp = [received[o] - ready[o] for o in order_ids if o in received and o in ready]
    to_handling = [handled[o] - ready[o] for o in order_ids if o in handled and o in ready]
    last_row = max(received[o] for o in order_ids if o in received)
    span = last_row - min(ready[o] for o in order_ids if o in ready)
    return to_erp, to_handling, span


def erp_count(folder: Path) -> int:
    with sqlite3.connect(folder / "erp.db") as erp:
        return erp.execute("SELECT COUNT(*) FROM sales_orders").fetchone()[0]


def start_receiver(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "vtex_sync.orders.hook_receiver:app",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                "--no-access-log"], env=dict(os.environ))
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("hook receiver did not start")
        time.sleep(0.1)


def watch_inbox(wake: threading.Event, stop: threading.Event) -> None:
    """The inbox watcher's trigger, run as the triggerer runs it; each event sets `wake`."""
    from vtex_provider.triggers.inbox import InboxEventTrigger

    async def run() -> None:
        stream = InboxEventTrigger(poll_seconds=1.0).run()

        async def consume() -> None:
            async for _event in stream:
                wake.set()

        task = asyncio.create_task(consume())
        while not stop.is_set():
            await asyncio.sleep(0.1)
        task.cancel()

    asyncio.run(run())


def place_orders(admin: httpx.Client, total: int, spread: float, order_ids: set[str]) -> None:
    """Place `total` orders evenly over `spread` seconds, a lot every half second."""
    lots = max(1, int(spread * 2))
    started = time.monotonic()
    for lot in range(lots):
        count = total * (lot + 1) // lots - total * lot // lots
        if count:
            order_ids |= set(admin.post("/_sandbox/orders", json={"count": count}).json()["orderIds"])
        time.sleep(max(0.0, started + (lot + 1) * spread / lots - time.monotonic()))


def measure_ceiling(ctx, admin: httpx.Client, count: int) -> float:
    """Orders/s the order processing itself moves on this machine: `count` ready orders put in
    the inbox at once and processed (get order, ERP row, start handling), with no hook or feed
    traffic beside it."""
    from vtex_sync.orders.processing import process_inbox

    order_ids: list[str] = []
    while len(order_ids) < count:
        order_ids += admin.post("/_sandbox/orders", json={"count": min(500, count - len(order_ids))}
                                ).json()["orderIds"]
    admin.post("/_sandbox/orders/ready").raise_for_status()
    for order_id in order_ids:
        ctx.state.inbox_add(ctx.account, {"orderId": order_id, "state": "ready-for-handling",
                                          "currentChange": datetime.now(UTC).isoformat()})
    started = time.monotonic()
    summary = process_inbox(ctx, time_budget=600, retry_quarantine=False)
    elapsed = time.monotonic() - started
    if summary["done"] != count:
        raise RuntimeError(f"ceiling: {summary}")
    return count / elapsed


def run_hook(ctx, folder: Path, total: int, run_start: float, linger: float) -> int:
    """Inbox runs woken by the trigger, one at a time, until every order is in the ERP; runs made."""
    from vtex_sync.orders.feed_run import process_until_empty

    wake, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch_inbox, args=(wake, stop), daemon=True)
    watcher.start()
    runs = 0
    try:
        while erp_count(folder) < total:
            if not wake.wait(timeout=1.0):
                continue
            wake.clear()
            time.sleep(run_start)  # Airflow: asset event -> DAG run -> task running
            runs += 1
            process_until_empty(ctx, time_budget=240, linger_seconds=linger)
    finally:
        stop.set()
        watcher.join()
    return runs


def run_feed(ctx, folder: Path, total: int, interval: float = 60.0) -> int:
    """Feed runs every `interval` seconds (never two at once) until every order is in the ERP."""
    from vtex_sync.orders.feed_run import drain_and_process

    runs = 0
    while erp_count(folder) < total:
        started = time.monotonic()
        runs += 1
        drain_and_process(ctx, feed_seconds=45, process_seconds=240)
        if erp_count(folder) < total:
            time.sleep(max(0.0, started + interval - time.monotonic()))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["hook", "feed"], default="hook")
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--spread", type=float, default=100.0,
                        help="seconds over which the orders are placed (0: all ready at once)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--run-start", type=float, default=4.5,
                        help="hook mode: seconds from the trigger's event to the inbox task running "
                             "(4.5: measured on Airflow 3.3.2, LocalExecutor, quiet machine)")
    parser.add_argument("--linger", type=float, default=20.0,
                        help="hook mode: the inbox run's linger_seconds (the DAG's default)")
    parser.add_argument("--state", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added by the sandbox per request")
    parser.add_argument("--ceiling", type=int, default=1000,
                        help="orders processed straight from the inbox first, alone (0: skip)")
    args = parser.parse_args()
    # a loaded machine can take longer than the default 10 s to start the sandbox process
    real_wait = sandbox_server.wait_until_up
    sandbox_server.wait_until_up = lambda url, config, timeout=10.0: real_wait(url, config,
                                                                             timeout=max(timeout, 120))

    from vtex_sync.airflow.connections import build_context
    from vtex_sync.context import SyncSettings
    from vtex_sync.orders.feed_config import configure_feed
    from vtex_sync.orders.hook_config import HookAction
    from vtex_sync.orders.hook_config import run as hook_config
    from vtex_sync.orders.hook_settings import hook_settings

    with tempfile.TemporaryDirectory(prefix="orders-burst-") as tmp, state_database(args.state, Path(tmp)) \
            as state_url:
        folder = Path(tmp)
        config = SandboxConfig(db_path=str(folder / "sandbox.db"), seed=5,
                               order_clock=3600 if args.spread <= 0 else 0.2,
                               rate_limit_scale=0, latency_ms=args.latency_ms)
        load_into(f"sqlite:///{folder / 'erp.db'}", generate("tiny", 3))
        receiver_port = free_port()
        receiver = None
        with SandboxServer(config, in_subprocess=True) as base_url:
            connect(base_url, folder, config, state_url, f"http://127.0.0.1:{receiver_port}/")
            started = time.monotonic()
            set_up_catalog()
            print(f"catalog set up in {time.monotonic() - started:.1f}s")
            admin = httpx.Client(base_url=base_url, headers=auth_headers(config), timeout=300)
            ctx = build_context(settings=SyncSettings(max_workers=args.workers))
            ceiling = measure_ceiling(ctx, admin, args.ceiling) if args.ceiling else None
            if args.mode == "feed":
                configure_feed(ctx)
            else:
                receiver = start_receiver(receiver_port)
                hook_config(ctx, hook_settings(), HookAction.SET)
            order_ids: set[str] = set()
            placing = None
            if args.spread <= 0:
                while len(order_ids) < args.orders:
                    count = min(500, args.orders - len(order_ids))
                    order_ids |= set(admin.post("/_sandbox/orders", json={"count": count}).json()["orderIds"])
                if args.mode == "feed":
                    from vtex_sync.orders.intake import drain_feed

                    drain_feed(ctx)  # nothing yet: the orders are waiting in window-to-cancel
                admin.post("/_sandbox/orders/ready").raise_for_status()
            else:
                placing = threading.Thread(target=place_orders, args=(admin, args.orders, args.spread,
                                                                      order_ids), daemon=True)
                placing.start()
            calls_before = ctx.hook.stats.calls
            started = time.monotonic()
            try:
                expected = erp_count(folder) + args.orders  # the ceiling's orders are in the ERP too
                if args.mode == "hook":
                    runs = run_hook(ctx, folder, expected, args.run_start, args.linger)
                else:
                    runs = run_feed(ctx, folder, expected)
            finally:
                if receiver is not None:
                    receiver.terminate()
                    receiver.wait(timeout=10)
            elapsed = time.monotonic() - started
            calls = ctx.hook.stats.calls - calls_before
            hook_stats = admin.get("/_sandbox/hook").json()
            if placing is not None:
                placing.join()
            admin.close()
        to_erp, to_handling, span = measure(folder, state_url, order_ids)
        delivered_rate = delivery_rate(state_url, order_ids) if args.mode == "hook" else None
        ctx.state.dispose()
    n = len(order_ids)
    print(f"mode {args.mode}: {n:,} orders ready over {args.spread:.0f}s ({n / max(args.spread, 1):,.0f}/s), "
          f"all in the ERP {elapsed:.1f}s after the start in {runs} runs "
          f"({args.workers} workers, state store {args.state})")
    print(f"ready -> ERP row:        p50 {statistics.median(to_erp):.1f}s  p95 {percentile(to_erp, .95):.1f}s"
          f"  max {max(to_erp):.1f}s")
    print(f"ready -> start-handling: p50 {statistics.median(to_handling):.1f}s  "
          f"p95 {percentile(to_handling, .95):.1f}s")
    print(f"VTEX calls: {calls:,} = {calls / n:.2f} per order")
    if args.mode == "hook":
        print(f"hook: {hook_stats.get('delivered', 0):,} notifications delivered, "
              f"{hook_stats.get('failed_attempts', 0):,} failed attempts")
    p95, target = percentile(to_erp, .95), P95_TARGET_S[args.mode]
    print(f"p95 / target: {p95:.1f}s / {target:.0f}s = {p95 / target:.2f}")
    rate = n / span  # first ready -> last ERP row (the wall time above adds the run's linger)
    print(f"throughput: {n:,} orders from the first ready to the last ERP row in {span:.1f}s = "
          f"{rate:.1f} orders/s")
    if args.spread > 0:
        print(f"throughput: bound by the arrival of {n / args.spread:,.0f} orders/s; "
              "--spread 0 gives the throughput ratios")
        return 0
    print(f"OMS's cap / throughput: {OMS_GET_ORDERS_PER_S:.0f} / {rate:.1f} orders/s = "
          f"{OMS_GET_ORDERS_PER_S / rate:.2f}x")
    if ceiling is not None:
        print(f"processing alone: {ceiling:.1f} orders/s ({args.ceiling:,} orders, {args.workers} workers) "
              f"-> OMS's cap / processing alone = {OMS_GET_ORDERS_PER_S / ceiling:.2f}x")
    if delivered_rate is not None:
        print(f"hook deliveries: {delivered_rate:.1f} notifications/s -> deliveries / throughput = "
              f"{delivered_rate / rate:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
