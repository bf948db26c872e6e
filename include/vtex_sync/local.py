"""Run the product on one machine with embedded defaults.

SQLite for Airflow and the integration's state, the local VTEX sandbox, demo ERP data, and
Airflow 3 (`airflow standalone`: scheduler, dag-processor, api-server, triggerer with the
LocalExecutor). It loads `airflow_settings.yaml`, runs `vtex_initial_setup` through the real
scheduler, prints the per-entity summary and leaves the UI up (``--once`` stops instead).
Everything lives under the project folder (`.airflow/`, `.state/`), never in your home.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

PROJECT_DIR = Path.cwd()
STATE_DIR = PROJECT_DIR / ".state"
AIRFLOW_HOME = PROJECT_DIR / ".airflow"
SANDBOX_KEY = "vtexappkey-sandbox-demo"
SANDBOX_TOKEN = "sandbox-token"  # the sandbox's demo credentials, not a secret


def airflow_env(api_port: int, sandbox_url: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PROJECT_DIR": str(PROJECT_DIR),
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_DIR / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "VTEX_BASE_URL": sandbox_url,
        "VTEX_APP_KEY": os.environ.get("VTEX_APP_KEY", SANDBOX_KEY),
        "VTEX_APP_TOKEN": os.environ.get("VTEX_APP_TOKEN", SANDBOX_TOKEN),
    }


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def prepare_erp(size: str, seed: int) -> None:
    erp_db = STATE_DIR / "erp.db"
    if erp_db.exists():
        step(f"demo ERP data already in {erp_db.relative_to(PROJECT_DIR)}")
        return
    from vtex_demo.generator import generate, load_into

    counts = load_into(f"sqlite:///{erp_db}", generate(size, seed=seed))
    step(f"demo ERP data ({size}): " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


def start_sandbox(port: int, logs: Path) -> subprocess.Popen[bytes]:
    args = [
        str(Path(sys.executable).parent / "vtex-sandbox"),
        "--port",
        str(port),
        "--db",
        str(STATE_DIR / "sandbox.db"),
        "--account",
        "sandbox",
    ]
    env = {**os.environ, "VTEX_SANDBOX_APP_KEY": SANDBOX_KEY, "VTEX_SANDBOX_APP_TOKEN": SANDBOX_TOKEN}
    process = subprocess.Popen(
        args, env=env, stdout=logs.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    headers = {"X-VTEX-API-AppKey": SANDBOX_KEY, "X-VTEX-API-AppToken": SANDBOX_TOKEN}
    wait_for(lambda: requests.get(f"{url}/_sandbox/stats", headers=headers, timeout=2).ok, 30, "sandbox")
    step(f"VTEX sandbox on {url} (state in .state/sandbox.db)")
    return process


def run_airflow_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), *args], env=env, check=True, stdout=subprocess.DEVNULL
    )


def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


class AirflowApi:
    """The few REST calls the launcher needs (SimpleAuthManager with everyone admin)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.url + path, timeout=30, headers=self._bearer(), **kwargs)
        response.raise_for_status()
        return response.json()

    def healthy(self) -> bool:
        health = self.session.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
        return all(health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler"))

    def dag_parsed(self, dag_id: str) -> bool:
        response = self.session.get(f"{self.url}/api/v2/dags/{dag_id}", timeout=5, headers=self._bearer())
        return response.status_code == 200

    def _bearer(self) -> dict[str, str]:
        token = self.session.get(f"{self.url}/auth/token", timeout=10).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def run_dag(self, dag_id: str, conf: dict[str, Any], timeout: float) -> str:
        self.call("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        run = self.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        run_id = run["dag_run_id"]
        step(f"triggered {dag_id} run {run_id}; follow it at {self.url}/dags/{dag_id}")
        deadline = time.monotonic() + timeout
        state = run["state"]
        while time.monotonic() < deadline and state not in ("success", "failed"):
            time.sleep(3)
            state = self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
        return state


def print_summary(flow: str, env: dict[str, str]) -> None:
    from vtex_sync.flows.report import table
    from vtex_sync.state import StateStore
    from vtex_sync.steps import in_step_order

    store = StateStore(f"sqlite:///{STATE_DIR / 'vtex_state.db'}")
    runs = store.runs("sandbox", flow, limit=1)
    if not runs:
        print("no run summary recorded")
        return
    summary = runs[0].summary
    print(table(in_step_order(summary["totals"])))
    if summary.get("retries"):
        print("retried calls:", ", ".join(f"{k}: {v}" for k, v in sorted(summary["retries"].items())))
    print(f"failed records: {summary.get('failures', 0)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__.split("\n")[0])
    parser.add_argument("--once", action="store_true", help="run the initial setup, print, stop everything")
    parser.add_argument("--size", default="demo", help="demo ERP size: tiny, demo, bench or a product count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port")
    parser.add_argument("--sandbox-port", type=int, default=8900)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the run")
    args = parser.parse_args(argv)

    STATE_DIR.mkdir(exist_ok=True)
    AIRFLOW_HOME.mkdir(exist_ok=True)
    logs = AIRFLOW_HOME / "local-processes.log"
    prepare_erp(args.size, args.seed)
    children: list[subprocess.Popen[bytes]] = []
    try:
        sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
        children.append(start_sandbox(args.sandbox_port, logs))
        env = airflow_env(args.port, sandbox_url)
        step("migrating the Airflow metadata DB (.airflow/airflow.db)")
        run_airflow_cli(env, "db", "migrate")
        step("loading airflow_settings.yaml (connections, pools, variables)")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vtex_sync.deploy.settings",
                "apply",
                "--file",
                str(PROJECT_DIR / "airflow_settings.yaml"),
            ],
            env=env,
            check=True,
        )
        step(f"starting Airflow (scheduler, dag-processor, api-server, triggerer); logs in {logs.name}")
        children.append(
            subprocess.Popen(
                [str(Path(sys.executable).parent / "airflow"), "standalone"],
                env=env,
                stdout=logs.open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        api = AirflowApi(f"http://127.0.0.1:{args.port}")
        wait_for(api.healthy, 180, "Airflow")
        wait_for(lambda: api.dag_parsed("vtex_initial_setup"), 120, "DAG vtex_initial_setup")
        state = api.run_dag("vtex_initial_setup", {}, args.timeout)
        step(f"vtex_initial_setup finished: {state}")
        print_summary("initial_setup", env)
        if args.once:
            return 0 if state == "success" else 1
        step(f"Airflow UI: http://127.0.0.1:{args.port} (no login locally) - Ctrl-C stops everything")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
        return 0
    finally:
        stop(children)


def stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in reversed(children):
        try:
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for child in reversed(children):
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
