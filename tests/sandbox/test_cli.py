"""The `vtex-sandbox` command: options, environment credentials and start-up time."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from vtex_sandbox.cli import build_parser, config_from_args
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import auth_headers, free_port, wait_until_up


def test_options_map_onto_the_config(monkeypatch) -> None:
    monkeypatch.setenv("VTEX_SANDBOX_APP_KEY", "env-key")
    monkeypatch.setenv("VTEX_SANDBOX_APP_TOKEN", "env-token")
    args = build_parser().parse_args(
        ["--account", "shop", "--rate-limit-scale", "0", "--fault-5xx", "0.1", "--seed", "3",
         "--bulk-confirm-seconds", "2"]
    )
    config = config_from_args(args)
    assert config.bulk_confirm_seconds == 2 and SandboxConfig().bulk_confirm_seconds == 0
    assert (config.account, config.app_key, config.app_token) == ("shop", "env-key", "env-token")
    assert (config.rate_limit_scale, config.fault_5xx, config.seed, config.order_clock) == (0, 0.1, 3, 2.0)
    assert build_parser().parse_args([]).port == 8900


def _startup_seconds(config: SandboxConfig, *extra: str) -> float:
    port = free_port()
    env = {**os.environ, "VTEX_SANDBOX_APP_KEY": config.app_key, "VTEX_SANDBOX_APP_TOKEN": config.app_token}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "vtex_sandbox.cli", "--port", str(port), "--log-level", "warning", *extra],
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}", config, timeout=15)
        elapsed = time.monotonic() - started
        stats = httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats", headers=auth_headers(config)).json()
        assert (stats["total"], stats["by_route"]) == (0, [])
        assert stats["contract"]["validated"] == 0
        return elapsed
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_command_starts_in_under_three_seconds() -> None:
    """Best of two runs, so a busy machine (other suites in parallel) does not decide the result."""
    config = SandboxConfig(app_key="cli-key", app_token="cli-token")
    best = _startup_seconds(config)
    if best >= 3:
        best = min(best, _startup_seconds(config))
    assert best < 3, f"took {best:.2f} s"

