"""Run a sandbox on a free local port, in a background thread or a child process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import uvicorn

from vtex_sandbox.app import create_app
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.store import Store

START_TIMEOUT_S = 30.0  # generous: a busy machine can take long to import FastAPI and jsonschema


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until_up(base_url: str, config: SandboxConfig, timeout: float = 10.0) -> None:
    """Poll ``/_sandbox/stats`` until the server answers."""
    headers = auth_headers(config)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base_url}/_sandbox/stats", headers=headers, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"sandbox at {base_url} did not start within {timeout} s")
        time.sleep(0.05)


def auth_headers(config: SandboxConfig) -> dict[str, str]:
    return {"X-VTEX-API-AppKey": config.app_key, "X-VTEX-API-AppToken": config.app_token}


class SandboxServer:
    """``with SandboxServer(config) as base_url: ...`` — in-process by default.

    ``in_subprocess=True`` runs the ``vtex-sandbox`` command instead (a separate interpreter,
    closer to how users run it; needed when the caller wants real parallelism).
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        store: Store | None = None,
        in_subprocess: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.config = config or SandboxConfig()
        self.store = store
        self.use_subprocess = in_subprocess
        self.host = host
        self.port: int | None = None
        self.app: Any = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self.port = free_port(self.host)
        if self.use_subprocess:
            self._start_process()
        else:
            self._start_thread()
        wait_until_up(self.base_url, self.config, timeout=START_TIMEOUT_S)
        return self.base_url

    def _start_thread(self) -> None:
        self.app = create_app(self.config, self.store)
        assert self.port is not None
        uv_config = uvicorn.Config(
            self.app, host=self.host, port=self.port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(target=self._server.run, name="vtex-sandbox", daemon=True)
        self._thread.start()

    def _start_process(self) -> None:
        assert self.port is not None
        args = command_line(self.config, self.host, self.port)
        self._process = subprocess.Popen(args, env=_child_env(self.config))

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = self._thread = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def command_line(config: SandboxConfig, host: str, port: int) -> list[str]:
    """The ``vtex-sandbox`` invocation for ``config`` (credentials travel by environment)."""
    args = [
        sys.executable, "-m", "vtex_sandbox.cli", "--host", host, "--port", str(port),
        "--account", config.account, "--latency-ms", str(config.latency_ms),
        "--rate-limit-scale", str(config.rate_limit_scale), "--fault-5xx", str(config.fault_5xx),
        "--fault-429", str(config.fault_429), "--fault-lost-response", str(config.fault_lost_response),
        "--order-clock", str(config.order_clock), "--cancel-request-share", str(config.cancel_request_share),
        "--duplicate-feed-share", str(config.duplicate_feed_share),
        "--duplicate-hook-share", str(config.duplicate_hook_share),
        "--hook-idle-seconds", str(config.hook_idle_seconds),
        "--hook-retry-seconds", str(config.hook_retry_seconds),
        "--hook-concurrency", str(config.hook_concurrency), "--log-level", "warning",
    ]
    args += [
        "--fault-image-applied-error", str(config.fault_image_applied_error),
        "--fault-stock-applied-500", str(config.fault_stock_applied_500),
        "--fault-inventory-lock", str(config.fault_inventory_lock),
        "--bulk-rows-per-second", str(config.bulk_rows_per_second),
        "--bulk-upload-expiry", str(config.bulk_upload_expiry_s),
        "--bulk-confirm-seconds", str(config.bulk_confirm_seconds),
    ]  # fmt: skip
    if config.case_sensitive_warehouses:
        args.append("--case-sensitive-warehouses")
    if config.db_path:
        args += ["--db", config.db_path]
    if config.seed is not None:
        args += ["--seed", str(config.seed)]
    if config.contract_dir:
        args += ["--contract", config.contract_dir, "--contract-mode", config.contract_mode]
    return args


def _child_env(config: SandboxConfig) -> dict[str, str]:
    env = dict(os.environ)
    env["VTEX_SANDBOX_APP_KEY"] = config.app_key
    env["VTEX_SANDBOX_APP_TOKEN"] = config.app_token
    return env
