"""The demo launcher end to end: embedded PostgreSQL, login, loopback only, supervision, clean stop.

One launcher (tiny demo data, live mode, the scheduled DAGs unpaused, the initial setup skipped to
keep the test short) serves the tests of this module, which run in file order: the last one stops
it with SIGTERM and checks that every process it started is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
import requests

from tests.contract import CONTRACT_DIR
from vtex_local.airflow_api import AirflowApi, admin_password
from vtex_local.launcher import SANDBOX_KEY, SANDBOX_TOKEN
from vtex_local.shape import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

READY = "Ctrl-C stops everything"
LOOPBACK = {"127.0.0.1", "::1"}


class Launcher:
    """`python -m vtex_local` in a scratch folder, its output collected line by line."""

    def __init__(self, root: Path, *extra: str, sandbox_port: int | None = None) -> None:
        self.root = root
        self.api_port, self.sandbox_port = free_port(), sandbox_port or free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        command = [sys.executable, "-m", "vtex_local", "--size", "tiny", "--root", str(root),
                   "--port", str(self.api_port), "--sandbox-port", str(self.sandbox_port), *extra]
        self.popen = subprocess.Popen(command, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip())

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.popen.poll() is not None:
                time.sleep(0.5)
                pytest.fail(f"launcher exited ({self.popen.returncode}) before {text!r}:\n{self.output}")
            time.sleep(0.5)
        pytest.fail(f"no {text!r} within {timeout:.0f}s:\n{self.output[-5000:]}")

    def family(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.popen.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def api(self) -> AirflowApi:
        password = admin_password(self.root / ".airflow")
        assert password
        return AirflowApi(f"http://127.0.0.1:{self.api_port}", "admin", password)


def leftovers(root: Path) -> list[psutil.Process]:
    """Processes anywhere on the machine that still use the launcher's folder."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if str(root) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.fixture
def scratch():
    """A folder outside pytest's own (which pytest keeps private to root, while the embedded
    PostgreSQL runs as an unprivileged user when the tests run as root)."""
    root = Path(tempfile.mkdtemp(prefix="vtex-launcher-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def launcher():
    root = Path(tempfile.mkdtemp(prefix="vtex-launcher-"))
    running = Launcher(root, "--skip-setup", "--tick", "30")
    try:
        running.wait_for_line(READY, timeout=900)
        yield running
    finally:
        if running.popen.poll() is None:
            running.popen.send_signal(signal.SIGTERM)
            running.popen.wait(timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def test_the_ui_and_the_api_need_the_generated_admin_password(launcher):
    url = f"http://127.0.0.1:{launcher.api_port}"
    assert requests.get(f"{url}/api/v2/dags", timeout=10).status_code == 401
    wrong = requests.post(f"{url}/auth/token", json={"username": "admin", "password": "admin"}, timeout=10)
    assert wrong.status_code in (401, 403)
    password = admin_password(launcher.root / ".airflow")
    assert password and any(password in line and url in line for line in launcher.lines)
    dags = launcher.api().call("GET", "/api/v2/dags", params={"limit": 100})["dags"]
    unpaused = {d["dag_id"] for d in dags if not d["is_paused"]}
    assert {"vtex_price_sync", "vtex_orders_feed", "vtex_customers_import", "vtex_orders_inbox",
            "vtex_orders_hook_config"} <= unpaused


def test_nothing_listens_beyond_loopback(launcher):
    listening: dict[int, str] = {}
    for process in launcher.family():
        try:
            for conn in process.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN:
                    listening[conn.laddr.port] = conn.laddr.ip
        except psutil.NoSuchProcess:
            continue
    assert {launcher.api_port, launcher.sandbox_port} <= set(listening)
    assert len(listening) >= 3  # and the embedded PostgreSQL
    assert set(listening.values()) <= LOOPBACK, listening


def test_the_vtex_connection_test_button_works(launcher):
    body = {
        "connection_id": "vtex_default", "conn_type": "vtex", "login": SANDBOX_KEY, "password": SANDBOX_TOKEN,
        "extra": json.dumps({"account_name": "sandbox", "environment": "vtexcommercestable",
                             "base_url": f"http://127.0.0.1:{launcher.sandbox_port}"}),
    }
    result = launcher.api().call("POST", "/api/v2/connections/test", json=body)
    assert result["status"] is True, result


def test_a_backfill_through_the_rest_api_completes_while_scheduled_runs_are_created(launcher):
    api = launcher.api()
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    start = end - timedelta(hours=1)
    # scheduled runs of every DAG ("~"): the one-minute feed waits while its own run lasts
    scheduled_before = len(api.dag_runs("~", run_type=["scheduled"]))
    backfill = api.call("POST", "/api/v2/backfills", json={
        "dag_id": "vtex_price_sync", "from_date": start.isoformat(), "to_date": end.isoformat(),
        "max_active_runs": 4, "reprocess_behavior": "none",
    })
    deadline = time.monotonic() + 900
    runs: list[dict] = []
    while time.monotonic() < deadline:
        runs = [r for r in api.dag_runs("vtex_price_sync", run_type=["backfill"])
                if r.get("backfill_id") in (None, backfill["id"])]
        if len(runs) >= 12 and all(r["state"] in ("success", "failed") for r in runs):
            break
        time.sleep(5)
    states = sorted(r["state"] for r in runs)
    assert len(runs) >= 12 and set(states) == {"success"}, (states, launcher.output[-3000:])
    while time.monotonic() < deadline and len(api.dag_runs("~", run_type=["scheduled"])) <= scheduled_before:
        time.sleep(5)
    assert len(api.dag_runs("~", run_type=["scheduled"])) > scheduled_before, "the scheduler stopped"
    assert "exited with code" not in launcher.output, launcher.output[-3000:]


def test_the_live_demo_sandbox_enforces_vtex_documents_and_every_request_meets_them(launcher):
    if not CONTRACT_DIR.is_dir() or not any(CONTRACT_DIR.glob("*.json")):
        pytest.skip(f"VTEX's OpenAPI documents are not in {CONTRACT_DIR.name} next to the project")
    headers = {"X-VTEX-API-AppKey": SANDBOX_KEY, "X-VTEX-API-AppToken": SANDBOX_TOKEN}
    url = f"http://127.0.0.1:{launcher.sandbox_port}/_sandbox/stats"
    contract = requests.get(url, headers=headers, timeout=10).json()["contract"]
    assert contract["mode"] == "enforce"
    since_start = contract["since_start"]
    bad = [(op["operation"], rule) for op in since_start["by_operation"] for rule in op["rules"]]
    assert since_start["validated"] > 0 and since_start["violations"] == 0, bad


def test_a_killed_scheduler_is_reported_and_restarted_at_once(launcher):
    def schedulers() -> list[psutil.Process]:
        return [p for p in launcher.family() if p.cmdline()[1:3] == ["scheduler", "--skip-serve-logs"]
                or " ".join(p.cmdline()).endswith("airflow scheduler --skip-serve-logs")]

    old = schedulers()
    assert old, [p.cmdline() for p in launcher.family()]
    old[0].kill()
    launcher.wait_for_line("restarting scheduler", timeout=10)
    assert any("scheduler exited with code -9" in line for line in launcher.lines)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not launcher.api().healthy():
        time.sleep(2)
    assert launcher.api().healthy()


def test_sigterm_stops_every_process_the_launcher_started(launcher):
    family = launcher.family()
    assert len(family) >= 6  # postgres, sandbox, api-server, scheduler, dag-processor, triggerer (+ children)
    launcher.popen.send_signal(signal.SIGTERM)
    assert launcher.popen.wait(timeout=120) == 0
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
    assert leftovers(launcher.root) == []
    assert "stopped" in launcher.lines[-1]


def test_a_failed_start_cleans_up(scratch):
    with socket.socket() as taken:  # the sandbox cannot bind its port, so the start fails
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        running = Launcher(scratch, "--once", sandbox_port=taken.getsockname()[1])
        assert running.popen.wait(timeout=300) == 1
    running._reader.join(timeout=10)
    assert "sandbox exited" in running.output, running.output
    assert leftovers(scratch) == [], [p.info["cmdline"] for p in leftovers(scratch)]
