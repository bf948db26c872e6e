"""Benchmark: CPU time the task process spends per VTEX call on the per-record path.

Runs the initial setup's steps one after the other in this process (as one task would, with
its 8 threads), against a sandbox in a separate process (no added latency, rate limits off,
so the client never waits on VTEX's limits), and divides this process's CPU time
(user + system, every thread) by the VTEX calls it made. The sandbox's own CPU (its process,
every thread) is shown beside it, not counted. SQLite ERP and state store. ``--profile`` runs
the calls one by one in this thread and prints the functions that took the most CPU.

    .venv/bin/python bench/client_cpu.py --size demo
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import use_settings, wire_connections  # noqa: E402

from vtex_demo.generator import generate, load_into  # noqa: E402
from vtex_sandbox.config import SandboxConfig  # noqa: E402
from vtex_sandbox.server import SandboxServer  # noqa: E402
from vtex_sync.steps import STEPS  # noqa: E402


def run_steps(
    profile: cProfile.Profile | None, sandbox: psutil.Process
) -> list[tuple[str, int, float, float, float]]:
    """(step, calls, CPU seconds, wall seconds, the sandbox's CPU seconds) per step, every step
    as one unbatched task."""
    from vtex_sync.airflow.tasks import run_step

    def sandbox_cpu() -> float:
        times = sandbox.cpu_times()
        return times.user + times.system

    rows = []
    for step in STEPS:
        cpu, wall, served = time.process_time(), time.perf_counter(), sandbox_cpu()
        if profile:
            profile.enable()
        result = run_step(step.name, {})
        if profile:
            profile.disable()
        calls = int(result["counts"].get("calls", 0))
        rows.append((step.name, calls, time.process_time() - cpu, time.perf_counter() - wall,
                     sandbox_cpu() - served))
    return rows


def sequential_calls() -> None:
    """For profiling: the executor runs its calls one by one in the calling thread (cProfile sees
    only that thread)."""
    from vtex_sync.executor import Executor

    pooled = Executor.__init__

    def one_thread(self, max_workers=8, **kwargs):
        pooled(self, 1, **kwargs)

    Executor.__init__ = one_thread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="demo", help="demo catalog size (tiny, demo, bench or a number)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent calls inside the task")
    parser.add_argument("--profile", action="store_true", help="print the hottest functions")
    parser.add_argument("--profile-file", help="also write the profile here (pstats format)")
    args = parser.parse_args(argv)

    size = int(args.size) if args.size.isdigit() else args.size
    data = generate(size)
    config = SandboxConfig(account="cpu", latency_ms=0, rate_limit_scale=0)
    use_settings(batch_size=10**9, max_workers=args.workers)
    logging.disable(logging.INFO)
    profile = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    if profile:
        sequential_calls()
    with tempfile.TemporaryDirectory(prefix="vtex-bench-") as folder:
        erp_url = f"sqlite:///{Path(folder) / 'erp.db'}"
        state_url = f"sqlite:///{Path(folder) / 'state.db'}"
        load_into(erp_url, data)
        server = SandboxServer(config, in_subprocess=True)
        base_url = server.start()
        try:
            wire_connections(config, base_url, erp_url, state_url)
            assert server._process is not None
            rows = run_steps(profile, psutil.Process(server._process.pid))
        finally:
            server.stop()

    print(f"catalog '{args.size}': {len(data['products']):,} products, {len(data['skus']):,} SKUs; "
          f"{args.workers} threads, sandbox in another process, no latency, no rate limits")
    print(f"{'step':<24}{'calls':>8}{'cpu s':>9}{'wall s':>9}{'cpu ms/call':>13}{'sandbox ms/call':>17}")
    for name, calls, cpu, wall, served in rows:
        per_call = f"{cpu / calls * 1000:.2f}" if calls else "-"
        sandbox = f"{served / calls * 1000:.2f}" if calls else "-"
        print(f"{name:<24}{calls:>8,}{cpu:>9.2f}{wall:>9.2f}{per_call:>13}{sandbox:>17}")
    calls = sum(r[1] for r in rows)
    cpu = sum(r[2] for r in rows)
    served = sum(r[4] for r in rows)
    print(f"{'total':<24}{calls:>8,}{cpu:>9.2f}{sum(r[3] for r in rows):>9.2f}{cpu / calls * 1000:>13.2f}"
          f"{served / calls * 1000:>17.2f}")
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(35)
        print(out.getvalue())
        if args.profile_file:
            profile.dump_stats(args.profile_file)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
