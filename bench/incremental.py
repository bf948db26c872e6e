"""Benchmark: one incremental run after 1% of the SKUs changed, against the full initial run.

Loads the `bench` demo catalog (~7,000 SKUs) into a sandbox with the initial setup's own
steps, changes the price and the stock of a share of the SKUs in the ERP, then runs the
catalog, price and inventory syncs over the interval holding the change.

    .venv/bin/python bench/incremental.py --latency-ms 20
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers
from vtex_sync.airflow.sync_tasks import run_sync
from vtex_sync.airflow.tasks import plan_batches, run_step
from vtex_sync.erp.sql import SqlErp
from vtex_sync.steps import STEPS

CHANGED_AT = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)
INTERVALS = {"catalog": 15, "prices": 5, "inventory": 2}


def calls(client: httpx.Client) -> tuple[int, int]:
    """(all calls, write calls) the sandbox served since its stats were reset."""
    rows = client.get("/_sandbox/stats").raise_for_status().json()["by_route"]
    return sum(r["count"] for r in rows), sum(r["count"] for r in rows if r["method"] != "GET")


def measure(client: httpx.Client, work: Callable[[], Any]) -> dict[str, float]:
    client.post("/_sandbox/stats/reset").raise_for_status()
    started = time.monotonic()
    work()
    seconds = time.monotonic() - started
    total, writes = calls(client)
    return {"seconds": seconds, "calls": total, "writes": writes}


def initial_setup() -> None:
    for step in STEPS:
        for batch in plan_batches(step.name, {}) if step.batched else [None]:
            run_step(step.name, {}, batch=batch)


def change_skus(erp: SqlErp, share: float) -> int:
    """New base price and stock for every n-th SKU; returns how many SKUs changed."""
    prices = [row for chunk in erp.read("prices") for row in chunk]
    step = max(1, round(1 / share))
    chosen = prices[::step]
    skus = [row["sku_ref_id"] for row in chosen]
    erp.upsert_rows("prices", [
        {**row, "base_price": row["base_price"] + Decimal("1.00"), "updated_at": CHANGED_AT} for row in chosen
    ])
    stock = erp.read_keys("stock", skus, column="sku_ref_id")
    erp.upsert_rows("stock", [
        {**row, "quantity": row["quantity"] + 1, "updated_at": CHANGED_AT} for row in stock
    ])
    return len(chosen)


def incremental_run() -> None:
    for flow, minutes in INTERVALS.items():
        start = CHANGED_AT.replace(minute=CHANGED_AT.minute - CHANGED_AT.minute % minutes, second=0)
        run_sync(flow, {}, start=start, end=start.replace(minute=start.minute + minutes))


def connect(sandbox: SandboxServer, config: SandboxConfig, erp_url: str, state_url: str) -> None:
    connections = {
        "VTEX_DEFAULT": {"conn_type": "vtex", "login": config.app_key, "password": config.app_token,
                         "extra": {"account_name": config.account, "base_url": sandbox.base_url}},
        "ERP_DEFAULT": {"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}},
        "VTEX_STATE": {"conn_type": "generic", "extra": {"url": state_url}},
    }
    for name, value in connections.items():
        os.environ[f"AIRFLOW_CONN_{name}"] = json.dumps(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="bench", help="demo catalog size (tiny, demo, bench or products)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every sandbox request")
    parser.add_argument("--share", type=float, default=0.01, help="share of SKUs to change")
    args = parser.parse_args(argv)

    config = SandboxConfig(account="bench", latency_ms=args.latency_ms, rate_limit_scale=0)
    with tempfile.TemporaryDirectory(prefix="vtex-bench-") as folder:
        erp_url = f"sqlite:///{Path(folder) / 'erp.db'}"
        state_url = f"sqlite:///{Path(folder) / 'state.db'}"
        load_into(erp_url, generate(int(args.size) if args.size.isdigit() else args.size))
        sandbox = SandboxServer(config, in_subprocess=True)
        sandbox.start()
        try:
            connect(sandbox, config, erp_url, state_url)
            with httpx.Client(base_url=sandbox.base_url, headers=auth_headers(config), timeout=60) as client:
                full = measure(client, initial_setup)
                erp = SqlErp(erp_url)
                changed = change_skus(erp, args.share)
                skus = erp.count("skus")
                incremental = measure(client, incremental_run)
                rerun = measure(client, incremental_run)
        finally:
            sandbox.stop()

    print(f"catalog: {skus:,} SKUs, {changed:,} changed (price and stock), latency {args.latency_ms:g} ms")
    print(f"{'run':<28}{'calls':>10}{'writes':>10}{'seconds':>10}")
    for name, result in (("full initial setup", full), ("incremental (3 syncs)", incremental),
                         ("rerun, nothing changed", rerun)):
        print(f"{name:<28}{result['calls']:>10,}{result['writes']:>10,}{result['seconds']:>10.1f}")
    print(f"incremental calls / full calls: {incremental['calls'] / full['calls']:.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
