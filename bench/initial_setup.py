"""Benchmark: the initial setup of a demo catalog against a rate-limited sandbox.

Runs the setup's steps the way the LocalExecutor runs the DAG: a step starts once the steps it
waits for are done (`Step.upstream`), its batches in parallel task processes (as many as its
Airflow pool has slots; steps of one pool share them). Prints the calls per SKU against the
fewest the data needs, the ERP rows read, and the wall time against the lower bound the
sandbox's latency, rate limits and batch-file processing allow (the longest chain of steps, each
pool's calls in flight, the catalog account limit); optionally a plain sequential loader.

    .venv/bin/python bench/initial_setup.py --size bench --latency-ms 50 --rate-limit-scale 0.5 \
        --sequential-products 20 --second-run

``--bulk-threshold`` and ``--batch-inventory`` set the bulk path's settings (prices go as
Bulk Pricing files from 1,000 writes by default); ``--second-run`` loads again and counts;
``--routes`` prints each step's calls by route.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import logging
import multiprocessing
import re
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    SandboxStats,
    contract_settings,
    peak_rss_mb,
    pool_slots,
    use_settings,
    wire_connections,
)

from vtex_demo.generator import generate, load_into  # noqa: E402
from vtex_sandbox import ratelimit  # noqa: E402
from vtex_sandbox.config import SandboxConfig  # noqa: E402
from vtex_sandbox.server import SandboxServer  # noqa: E402
from vtex_sync.entities import ENTITIES  # noqa: E402
from vtex_sync.steps import STEPS, Step  # noqa: E402

Limit = tuple[int, int | None]  # requests per minute, burst credits (None: a minute's worth)


@dataclass
class Phase:
    """Calls of one kind a step must make, and the sandbox bucket that limits them."""

    route: str
    calls: int
    limit: Limit | None  # None: no rate limit (logistics)
    catalog: bool = False  # also draws from the catalog per-account bucket
    processing: float = 0.0  # seconds VTEX's batch files take at the sandbox's processing rate


@dataclass
class StepRun:
    step: Step
    phases: list[Phase]
    batches: int = 0
    started: float = 0.0  # seconds after the run's start
    seconds: float = 0.0
    calls: int = 0
    throttled: int = 0
    failures: int = 0
    counts: Counter = field(default_factory=Counter)
    routes: Counter = field(default_factory=Counter)
    erp_rows: int = 0
    peak_mb: float = 0.0


# --- what the data needs ---------------------------------------------------------------------


def minimum_phases(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[Phase]]:
    """One write per record, per step, named by route (counted from the ERP rows alone): one
    specification call per product, no activation call (VTEX activates a SKU created with
    ActivateIfPossible when its image lands)."""
    products, skus = data["products"], data["skus"]

    def catalog(route: str, calls: int) -> Phase:
        return Phase(route, calls, ratelimit.CATALOG_PER_ROUTE, catalog=True)

    return {
        "categories": [catalog("POST category", len(data["categories"]))],
        "brands": [catalog("POST brand", len(data["brands"]))],
        "specification_groups": [catalog("POST spec group", len(data["specification_groups"]))],
        "specification_fields": [catalog("POST spec field", len(data["specification_fields"]))],
        "specification_values": [catalog("POST spec value", len(data["specification_values"]))],
        "products": [catalog("POST product", len(products))],
        "product_specifications": [
            catalog("POST product specs", len({r["product_ref_id"] for r in data["product_specifications"]}))
        ],
        "product_trade_policies": [
            catalog("POST trade policy link", sum(len(p["trade_policies"].split(",")) for p in products))
        ],
        "skus": [
            catalog("POST sku", len(skus)),
            catalog("POST ean", sum(1 for s in skus if s["ean"])),
        ],
        "sku_specifications": [catalog("POST sku spec", len(data["sku_specifications"]))],
        "sku_images": [catalog("POST sku file", len(data["sku_images"]))],
        "sku_activation": [],
        "prices": [
            Phase("PUT price", sum(1 for p in data["prices"] if p["active"]), ratelimit.PRICING_WRITE)
        ],
        "warehouses": [
            Phase("POST dock", len(data["docks"]), None),
            Phase("POST warehouse", len(data["warehouses"]), None),
        ],
        "inventory": [Phase("PUT inventory", len(data["stock"]), None)],
    }


def bulk_phases(data: dict[str, list[dict[str, Any]]], step: str, rows_per_second: float) -> list[Phase]:
    """A step on the bulk path: a few calls per file (create, upload, polls) and the time VTEX
    takes to apply the rows (base prices before fixed prices)."""
    tables = ("prices", "fixed_prices") if step == "prices" else ("stock",)
    rows = sum(len(data[table]) for table in tables)
    return [Phase(f"{step} batch files", 0, None, processing=rows / rows_per_second)]


def step_bound(phases: list[Phase], latency: float, concurrency: int, scale: float) -> float:
    """One step alone: max(calls x latency / concurrency, (calls - burst) / rate per route),
    plus the processing time of its batch files."""
    total = sum(p.calls for p in phases)
    bounds = [total * latency / concurrency]
    if scale > 0:
        for phase in phases:
            if phase.limit is not None:
                per_minute, burst = phase.limit
                credits = (burst if burst is not None else per_minute) * scale
                bounds.append(max(0.0, phase.calls - credits) / (per_minute / 60 * scale))
    return max(bounds) + sum(p.processing for p in phases)


def step_bounds(
    runs: list[StepRun], slots: dict[str, int], workers: int, latency: float, scale: float
) -> dict[str, float]:
    """Each step's bound alone, with as many calls in flight as its batches can hold."""
    def in_flight(run: StepRun) -> int:
        return min(slots[run.step.pool], max(run.batches, 1)) * workers

    return {run.step.name: step_bound(run.phases, latency, in_flight(run), scale) for run in runs}


def lower_bound(
    runs: list[StepRun], slots: dict[str, int], workers: int, latency: float, scale: float
) -> tuple[float, str]:
    """The run's lower bound and what sets it: the longest chain of steps (each step waits for
    its upstream), every pool's calls x latency over its calls in flight, and the shared catalog
    account bucket (45,000/min at full scale)."""
    by_name = {run.step.name: run for run in runs}
    alone = step_bounds(runs, slots, workers, latency, scale)
    finish: dict[str, float] = {}
    for run in runs:  # VTEX's order: every upstream comes first
        start = max((finish[up] for up in run.step.upstream if up in by_name), default=0.0)
        finish[run.step.name] = start + alone[run.step.name]
    candidates = {"critical path of steps": max(finish.values(), default=0.0)}
    for pool, size in slots.items():
        calls = sum(p.calls for run in runs if run.step.pool == pool for p in run.phases)
        if calls:
            candidates[f"pool {pool} ({size} tasks x {workers} calls)"] = calls * latency / (size * workers)
    if scale > 0:
        per_minute, _ = ratelimit.CATALOG_PER_ACCOUNT
        catalog = sum(p.calls for run in runs for p in run.phases if p.catalog)
        rate = per_minute / 60 * scale
        candidates["catalog account limit"] = max(0.0, catalog - per_minute * scale) / rate
    reason = max(candidates, key=lambda name: candidates[name])
    return candidates[reason], reason


# --- the product's run, as the DAG runs it ---------------------------------------------------


# what a task process has imported before it starts: the product's modules, not the work
PRELOAD = [
    "vtex_sync.airflow.tasks",
    "vtex_sync.flows.setup",
    "vtex_sync.state",
    "vtex_sync.erp",
    "vtex_provider.hooks.vtex",
    "vtex_provider.clients.catalog",
    "vtex_provider.clients.pricing",
    "vtex_provider.clients.logistics",
]


def _run_task(step: str, batch: list[int] | None) -> dict[str, Any]:
    """One task process: run one step or batch, report its result, the calls it made by route,
    the ERP rows it read and this process's peak RSS."""
    from vtex_sync.airflow.tasks import run_step

    logging.disable(logging.INFO)  # the step's own log lines are not the benchmark's output
    meter = TaskMeter.installed()
    meter.reset()
    result = run_step(step, {}, batch=batch)
    return result | {"rss_mb": peak_rss_mb(), "routes": dict(meter.routes), "erp_rows": meter.rows}


class TaskMeter:
    """In a task process: counts the VTEX calls by route (method and path, ids as ``{}``) and
    the ERP rows handed out (``read``, ``read_keys`` and ``keys``)."""

    _installed: TaskMeter | None = None

    def __init__(self) -> None:
        self.routes: Counter[str] = Counter()
        self.rows = 0
        self.lock = threading.Lock()

    @classmethod
    def installed(cls) -> TaskMeter:
        if cls._installed is None:
            cls._installed = meter = cls()
            meter._patch()
        return cls._installed

    def reset(self) -> None:
        self.routes.clear()
        self.rows = 0

    def _patch(self) -> None:
        import vtex_sync.erp as erp_package
        from vtex_provider.hooks.vtex import VtexHook

        meter, attempt, connect = self, VtexHook._attempt, erp_package.erp_from_connection

        def counted_attempt(hook: Any, session: Any, call: Any, *args: Any) -> Any:
            route = f"{call.method} {ROUTE_ID.sub('/{}', call.path)}"
            with meter.lock:
                meter.routes[route] += 1
            return attempt(hook, session, call, *args)

        def counted_erp(*args: Any, **kwargs: Any) -> Any:
            return CountingErp(connect(*args, **kwargs), meter)

        VtexHook._attempt = counted_attempt  # type: ignore[method-assign]
        erp_package.erp_from_connection = counted_erp  # type: ignore[assignment]


# a path segment holding a digit (an id, a RefId, an EAN) is shown as {}
ROUTE_ID = re.compile(r"/[^/]*\d[^/]*")


class CountingErp:
    """An ERP adapter that adds the rows it hands out to a `TaskMeter`."""

    def __init__(self, erp: Any, meter: TaskMeter) -> None:
        self.erp, self.meter = erp, meter

    def _count(self, rows: int) -> None:
        with self.meter.lock:
            self.meter.rows += rows

    def read(self, table: str, **kwargs: Any) -> Iterator[list[dict[str, Any]]]:
        for chunk in self.erp.read(table, **kwargs):
            self._count(len(chunk))
            yield chunk

    def read_keys(self, table: str, keys: Any, **kwargs: Any) -> list[dict[str, Any]]:
        rows = self.erp.read_keys(table, keys, **kwargs)
        self._count(len(rows))
        return rows

    def keys(self, table: str) -> set[str]:
        keys = self.erp.keys(table)
        self._count(len(keys))
        return keys

    def __getattr__(self, name: str) -> Any:
        return getattr(self.erp, name)


def _warm_up(seconds: float) -> float:
    time.sleep(seconds)
    return peak_rss_mb()


@contextmanager
def task_pools(slots: dict[str, int]) -> Iterator[dict[str, ProcessPoolExecutor]]:
    """One process pool per Airflow pool the steps use, started and warmed before the clock runs.

    Processes fork from a server that has already imported the product (as the executor's task
    processes have), and each one keeps running tasks of its pool, like a worker slot.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", *PRELOAD])
    names = {step.pool for step in STEPS}
    pools = {name: ProcessPoolExecutor(slots[name], mp_context=context) for name in names}
    try:
        for name, pool in pools.items():
            list(pool.map(_warm_up, [0.3] * slots[name]))
        yield pools
    finally:
        for pool in pools.values():
            pool.shutdown()


def run_product(runs: list[StepRun], pools: dict[str, ProcessPoolExecutor], slots: dict[str, int]) -> float:
    """The steps as the DAG runs them: a step starts once its upstream steps are done, its
    batches queued for its pool's processes (steps of one pool share them), and a free slot
    goes to the queued batch of the highest `Step.priority` (the DAG's `priority_weight`), then
    to the oldest. Returns the wall time."""
    from vtex_sync.airflow.tasks import plan_batches

    by_name = {run.step.name: run for run in runs}
    waiting = {run.step.name: {up for up in run.step.upstream if up in by_name} for run in runs}
    queued: dict[str, list[tuple[int, int, str, list[int] | None]]] = defaultdict(list)
    free = dict(slots)
    owner: dict[Future, StepRun] = {}
    left: dict[str, int] = {}
    done: set[str] = set()
    order = itertools.count()
    t0 = time.monotonic()

    def start_ready() -> None:
        for name in [n for n, ups in waiting.items() if ups <= done]:
            del waiting[name]
            run = by_name[name]
            run.started = time.monotonic() - t0
            batches = plan_batches(name, {}) if run.step.batched else [None]
            run.batches = left[name] = len(batches)
            for batch in batches:
                heapq.heappush(queued[run.step.pool], (-run.step.priority, next(order), name, batch))
        for pool, queue in queued.items():
            while queue and free[pool]:
                _, _, name, batch = heapq.heappop(queue)
                free[pool] -= 1
                owner[pools[pool].submit(_run_task, name, batch)] = by_name[name]

    start_ready()
    while owner:
        finished, _ = wait(list(owner), return_when=FIRST_COMPLETED)
        for future in finished:
            run = owner.pop(future)
            free[run.step.pool] += 1
            result = future.result()
            run.counts.update(result["counts"])
            run.calls += int(result["counts"].get("calls", 0))
            run.throttled += int(result.get("retries", {}).get("429", 0))
            run.failures += len(result["failures"])
            run.peak_mb = max(run.peak_mb, result["rss_mb"])
            run.routes.update(result["routes"])
            run.erp_rows += result["erp_rows"]
            left[run.step.name] -= 1
            if not left[run.step.name]:
                run.seconds = time.monotonic() - t0 - run.started
                done.add(run.step.name)
        start_ready()
    return time.monotonic() - t0


# --- a plain sequential loader ---------------------------------------------------------------


class PlainHook:
    """One requests session, one call at a time; waits out a 429 and tries again, nothing else."""

    def __init__(self, base_url: str, account: str, config: SandboxConfig) -> None:
        self.urls = {"store": base_url, "pricing": f"{base_url}/{account}"}
        self.session = requests.Session()
        self.session.headers.update(
            {"X-VTEX-API-AppKey": config.app_key, "X-VTEX-API-AppToken": config.app_token,
             "Accept": "application/json", "Content-Type": "application/json"}
        )
        self.calls = 0

    def request(self, method: str, path: str, *, api: str = "store", json: Any = None,
                params: dict[str, Any] | None = None, **_: Any) -> requests.Response:
        """The answer; a refusal raises the provider's error for its status (a 404: not found)."""
        from vtex_provider.exceptions import error_for_status, parse_error_body

        while True:
            self.calls += 1
            response = self.session.request(method, self.urls[api] + path, json=json, params=params)
            if response.status_code == 429:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 400:
                code, message = parse_error_body(response.text)
                raise error_for_status(response.status_code, method, path, code, message)
            return response


Tables = dict[str, list[dict[str, Any]]]


def sequential_subset(data: Tables, products: int) -> Tables:
    """The first ``products`` products and everything that hangs off them; shared tables whole."""
    chosen = {p["ref_id"] for p in data["products"][:products]}
    skus = {s["ref_id"] for s in data["skus"] if s["product_ref_id"] in chosen}
    subset = dict(data)
    subset["products"] = [p for p in data["products"] if p["ref_id"] in chosen]
    subset["product_specifications"] = [
        r for r in data["product_specifications"] if r["product_ref_id"] in chosen
    ]
    subset["skus"] = [s for s in data["skus"] if s["ref_id"] in skus]
    for table in ("sku_specifications", "sku_images", "prices", "fixed_prices", "stock"):
        subset[table] = [r for r in data[table] if r["sku_ref_id"] in skus]
    return subset


def run_sequential(hook: PlainHook, data: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[int, float]]:
    """Every record written once, in the setup's order; (calls, seconds) per step."""
    from vtex_sync.context import Clients
    from vtex_sync.erp import check_category_tree, validate_rows
    from vtex_sync.flows import catalog as cat
    from vtex_sync.flows import commerce as com

    clients = Clients(hook)
    ids: dict[str, dict[str, str]] = defaultdict(dict)
    valid = {table: validate_rows(table, rows).valid for table, rows in data.items()}
    categories, _ = check_category_tree(valid["categories"])
    names = {value.code: value.name for value in valid["specification_values"]}

    def write(spec: Any, rows: list[Any], update: bool = False) -> None:
        for record in spec.records(rows):
            parents = {parent: ids[parent][key] for parent, key in spec.parent_keys(record).items()}
            payload = spec.build(record, parents)
            key = spec.key(record)
            if spec.upsert is not None:
                ids[spec.name][key] = str(spec.upsert(clients, payload))
            elif update:
                spec.update(clients, ids[spec.name][key], payload)
            else:
                ids[spec.name][key] = str(spec.create(clients, spec.create_payload(payload)))

    plan = {
        "categories": lambda: write(cat.CATEGORIES, categories),
        "brands": lambda: write(cat.BRANDS, valid["brands"]),
        "specification_groups": lambda: write(cat.SPECIFICATION_GROUPS, valid["specification_groups"]),
        "specification_fields": lambda: write(cat.SPECIFICATION_FIELDS, valid["specification_fields"]),
        "specification_values": lambda: write(cat.SPECIFICATION_VALUES, valid["specification_values"]),
        "products": lambda: write(cat.PRODUCTS, valid["products"]),
        "product_specifications": lambda: write(cat.PRODUCT_SPECIFICATIONS, [
            cat.NamedValue(row, names.get(row.value_code)) for row in valid["product_specifications"]]),
        "product_trade_policies": lambda: write(cat.PRODUCT_TRADE_POLICIES, valid["products"]),
        "skus": lambda: (write(cat.SKUS, valid["skus"]), write(cat.SKU_EANS, valid["skus"])),
        "sku_specifications": lambda: write(cat.SKU_SPECIFICATIONS, valid["sku_specifications"]),
        "sku_images": lambda: write(cat.SKU_IMAGES, valid["sku_images"]),
        "sku_activation": lambda: write(cat.SKUS, [s for s in valid["skus"] if s.active], update=True),
        "prices": lambda: write(com.PRICES, com.price_records(valid["prices"], valid["fixed_prices"])),
        "warehouses": lambda: (
            write(com.DOCKS, valid["docks"]),
            write(com.WAREHOUSES, com.warehouse_records(valid["warehouses"], valid["docks"])),
        ),
        "inventory": lambda: write(com.INVENTORY, valid["stock"]),
    }
    timings = {}
    for step in STEPS:
        calls, started = hook.calls, time.monotonic()
        plan[step.name]()
        timings[step.name] = (hook.calls - calls, time.monotonic() - started)
    return timings


# --- wiring and report -----------------------------------------------------------------------


@contextmanager
def sandbox(config: SandboxConfig) -> Iterator[str]:
    server = SandboxServer(config, in_subprocess=True)
    base_url = server.start()
    try:
        yield base_url
    finally:
        server.stop()


def print_report(runs: list[StepRun], wall: float, bound: tuple[float, str], bounds: dict[str, float],
                 sequential: dict[str, float], skus: int, sandbox_calls: int) -> None:
    head = f"{'step':<24}{'batches':>8}{'min calls':>11}{'calls':>9}{'429s':>6}{'failed':>7}"
    head += f"{'start s':>9}{'seconds':>9}{'bound s':>9}{'/bound':>8}{'seq s':>9}"
    print(head)
    for run in runs:
        need = sum(p.calls for p in run.phases)
        alone = bounds[run.step.name]
        print(
            f"{run.step.name:<24}{run.batches:>8}{need:>11,}{run.calls:>9,}{run.throttled:>6}{run.failures:>7}"
            f"{run.started:>9.1f}{run.seconds:>9.1f}{alone:>9.1f}{run.seconds / alone if alone else 0:>8.2f}"
            f"{sequential[run.step.name]:>9.1f}"
        )
    need = sum(p.calls for r in runs for p in r.phases)
    calls = sum(r.calls for r in runs)
    seq = sum(sequential.values())
    print()
    print(f"VTEX calls            {calls:,} / minimum {need:,} = {calls / need:.3f}x (target <= 1.05x); "
          f"the sandbox counted {sandbox_calls:,}")
    print(f"calls per SKU         {calls:,} / {skus:,} = {calls / skus:.2f} (minimum {need / skus:.2f})")
    ratio = wall / bound[0] if bound[0] else 0
    print(f"wall time             {wall:.1f} s / lower bound {bound[0]:.1f} s ({bound[1]}) = {ratio:.2f}x"
          " (target <= 1.25x)")
    if seq:
        print(f"sequential loader     {seq:.1f} s (extrapolated) / {wall:.1f} s = {seq / wall:.1f}x slower")
    print(f"429 responses         {sum(r.throttled for r in runs):,}")
    print(f"failed records        {sum(r.failures for r in runs):,}")
    largest = max(runs, key=lambda r: r.peak_mb)
    print(f"peak task RSS         {largest.peak_mb:.0f} MiB (a {largest.step.name} task)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="bench", help="demo catalog size (tiny, demo, bench or a number)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="added by the sandbox to every call")
    parser.add_argument("--rate-limit-scale", type=float, default=0.5, help="x VTEX's documented limits")
    parser.add_argument("--workers", type=int, default=8, help="concurrent calls inside one task")
    parser.add_argument("--batch-size", type=int, default=200, help="ERP rows per batch (one task each)")
    parser.add_argument("--sequential-products", type=int, default=40,
                        help="products the sequential loader writes (timed, then scaled to the full "
                        "catalog); 0 skips it")
    parser.add_argument("--bulk-threshold", type=int, default=1000,
                        help="setting bulk_threshold (the product's default; a huge number: per record only)")
    parser.add_argument("--batch-inventory", action="store_true", help="setting batch_inventory on")
    parser.add_argument("--second-run", action="store_true", help="run the setup again and count its calls")
    parser.add_argument("--routes", action="store_true", help="print each step's calls by route")
    args = parser.parse_args(argv)

    size = int(args.size) if args.size.isdigit() else args.size
    data = generate(size)
    phases = minimum_phases(data)
    config = SandboxConfig(
        account="bench", latency_ms=args.latency_ms, rate_limit_scale=args.rate_limit_scale,
        **contract_settings(),
    )
    bulk_steps = {"prices"} | ({"inventory"} if args.batch_inventory else set())
    for name in bulk_steps:
        rows = len(data["prices"] if name == "prices" else data["stock"])
        if rows >= args.bulk_threshold:
            phases[name] = bulk_phases(data, name, config.bulk_rows_per_second)
    slots = pool_slots()
    use_settings(batch_size=args.batch_size, max_workers=args.workers, bulk_threshold=args.bulk_threshold,
                 batch_inventory=args.batch_inventory, bulk_poll_seconds=0.5)
    runs = [StepRun(step, phases[step.name]) for step in STEPS]
    again = [StepRun(step, phases[step.name]) for step in STEPS]
    second_wall = 0.0

    with tempfile.TemporaryDirectory(prefix="vtex-bench-") as folder:
        erp_url = f"sqlite:///{Path(folder) / 'erp.db'}"
        state_url = f"sqlite:///{Path(folder) / 'state.db'}"
        load_into(erp_url, data)
        with sandbox(config) as base_url:
            wire_connections(config, base_url, erp_url, state_url)
            stats = SandboxStats(base_url, config)
            with task_pools(slots) as pools:
                stats.reset()
                cpu_before = stats.cpu_seconds()
                wall = run_product(runs, pools, slots)
                sandbox_cpu = stats.cpu_seconds() - cpu_before
                sandbox_calls = sum(stats.by_status().values())
                contract = stats.contract()
                if args.second_run:
                    stats.reset()
                    second_wall = run_product(again, pools, slots)
                    second_calls = sum(stats.by_status().values())
            stats.close()

    latency = args.latency_ms / 1000
    bounds = step_bounds(runs, slots, args.workers, latency, args.rate_limit_scale)
    bound = lower_bound(runs, slots, args.workers, latency, args.rate_limit_scale)

    sequential = {step.name: 0.0 for step in STEPS}
    if args.sequential_products:
        subset = sequential_subset(data, args.sequential_products)
        subset_phases = minimum_phases(subset)
        with sandbox(config) as base_url:
            timings = run_sequential(PlainHook(base_url, config.account, config), subset)
        for step in STEPS:
            calls, seconds = timings[step.name]
            full = sum(p.calls for p in minimum_phases(data)[step.name])
            sequential[step.name] = seconds / calls * full if calls else 0.0
            assert calls >= sum(p.calls for p in subset_phases[step.name]), step.name

    print(f"catalog '{args.size}': {len(data['products']):,} products, {len(data['skus']):,} SKUs; "
          f"latency {args.latency_ms:g} ms, rate-limit scale {args.rate_limit_scale:g}, "
          f"{args.workers} calls per task, pools {slots}; bulk threshold {args.bulk_threshold:,}, "
          f"batch inventory {'on' if args.batch_inventory else 'off'}")
    print_report(runs, wall, bound, bounds, sequential, len(data["skus"]), sandbox_calls)
    print(f"sandbox CPU           {sandbox_cpu:.1f} s in the run's {wall:.1f} s = "
          f"{sandbox_cpu / wall:.2f} of a core (one Python process, sharing the machine with the tasks)")
    if contract["mode"]:
        print(f"VTEX contract         {contract['mode']}: {contract['validated']:,} requests checked, "
              f"{contract['violations']:,} against VTEX's documents")
    entities = [ENTITIES[name] for step in STEPS for name in step.entities]
    erp_rows = sum(len(data[table]) for table in {t for e in entities for t in (e.table, *e.details)})
    read = sum(r.erp_rows for r in runs)
    print(f"ERP rows read         {read:,} / {erp_rows:,} rows in the setup's tables = "
          f"{read / erp_rows:.2f}x (target <= 1.1x)")
    if args.second_run:
        print(f"second run            {second_calls:,} calls, {second_wall:.1f} s")
    if args.routes:
        for run in runs:
            print(f"{run.step.name}: " + ", ".join(f"{route} {n:,}" for route, n in run.routes.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
