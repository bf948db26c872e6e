"""What ``--contract`` costs: loading VTEX's documents, and the check added to each request.

Measures (1) ``Contract.load`` of the OpenAPI folder, (2) ``Contract.check`` alone on a mix of
real request shapes (CPU per request), and (3) end to end over HTTP: the same request mix against
one in-process sandbox without the check and one enforcing it, alternating, median latency.

    .venv/bin/python bench/sandbox_contract.py [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "include"), str(ROOT / "plugins")]

from tests.sandbox import vtex_bodies as vb  # noqa: E402
from vtex_sandbox.config import SandboxConfig  # noqa: E402
from vtex_sandbox.contract import Contract  # noqa: E402
from vtex_sandbox.contract_loader import DEFAULT_FOLDER as FOLDER  # noqa: E402
from vtex_sandbox.server import SandboxServer, auth_headers  # noqa: E402

HEADERS = {"accept": "application/json", "content-type": "application/json"}


def request_mix(sku: int, product: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("PUT", f"/pricing/prices/{sku}", {"basePrice": 10, "listPrice": 12, "fixedPrices": [
            {"tradePolicyId": "1", "value": 9.5, "listPrice": 12.0, "minQuantity": 1}]}),
        ("PUT", f"/api/catalog/pvt/stockkeepingunit/{sku}", vb.sku(product, f"S-{sku}")),
        ("PUT", f"/api/logistics/pvt/inventory/skus/{sku}/warehouses/wh1",
         {"quantity": 5, "unlimitedQuantity": False, "leadTime": "1.00:00:00"}),
        ("GET", f"/api/catalog/pvt/stockkeepingunit/{sku}", None),
        ("GET", "/api/orders/feed?maxlot=10", None),
    ]  # fmt: skip


def bench_check(contract: Contract, mix: list, rounds: int) -> float:
    prepared = [(m, p.split("?")[0], (p.split("?") + [""])[1].encode(), json.dumps(b).encode() if b else b"")
                for m, p, b in mix]  # fmt: skip
    for m, p, q, b in prepared:  # compile validators once, as the first request does
        contract.check(m, p, q, HEADERS, b)
    started = time.perf_counter()
    for _ in range(rounds):
        for m, p, q, b in prepared:
            contract.check(m, p, q, HEADERS, b)
    return (time.perf_counter() - started) / (rounds * len(prepared))


def bench_http(requests: int) -> tuple[float, float]:
    plain = SandboxConfig(account="bench", rate_limit_scale=0)
    strict = SandboxConfig(
        account="bench", rate_limit_scale=0, contract_dir=str(FOLDER), contract_mode="enforce"
    )
    timings: dict[str, list[float]] = {"plain": [], "strict": []}
    with SandboxServer(plain) as plain_url, SandboxServer(strict) as strict_url:
        clients = {}
        for name, url, config in (("plain", plain_url, plain), ("strict", strict_url, strict)):
            client = httpx.Client(base_url=url, headers={**auth_headers(config), **HEADERS}, timeout=30)
            ids = vb.catalog(client)
            vb.stock_place(client)
            client.post("/api/orders/feed/config", json={"filter": {"type": "FromWorkflow"}, "queue": {
                "visibilityTimeoutInSeconds": 250, "MessageRetentionPeriodInSeconds": 345600}})
            clients[name] = (client, request_mix(ids["sku"], ids["product"]))
        for i in range(requests):
            for name in ("plain", "strict"):
                client, mix = clients[name]
                method, path, body = mix[i % len(mix)]
                started = time.perf_counter()
                response = client.request(method, path, json=body)
                timings[name].append(time.perf_counter() - started)
                assert response.status_code < 300, (name, path, response.text)
        for client, _ in clients.values():
            client.close()
    return statistics.median(timings["plain"]), statistics.median(timings["strict"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    started = time.perf_counter()
    contract = Contract.load(FOLDER)
    load_s = time.perf_counter() - started
    sizes = f"{len(contract.documents)} documents, {len(contract.operations)} operations"
    print(f"load: {load_s:.3f} s for {sizes}")
    per_check = bench_check(contract, request_mix(1, 1), rounds=200)
    print(f"check alone: {per_check * 1e6:.0f} us per request (mix of 5 request shapes)")
    plain, strict = bench_http(args.requests)
    print(f"over HTTP, median: {plain * 1e3:.2f} ms without, {strict * 1e3:.2f} ms with --contract "
          f"(+{(strict - plain) * 1e3:.2f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
