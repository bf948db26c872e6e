"""Run the product on one machine: `./scripts/demo`.

An embedded PostgreSQL (Airflow's metadata and the integration's state store), the local VTEX
sandbox, demo ERP data (SQLite), and Airflow 3 (api-server, scheduler with the LocalExecutor,
dag-processor, triggerer), each supervised: a process that dies is reported and restarted,
SIGINT/SIGTERM stop everything, and everything listens on 127.0.0.1 only. It loads
`airflow_settings.yaml`, runs `vtex_initial_setup` through the scheduler and prints the
per-entity summary; then (unless ``--once``) unpauses the scheduled DAGs and plays a live store:
ERP changes, orders, and the ERP answering them. State lives under the project folder
(`.airflow/`, `.state/`), never in your home.
"""

from __future__ import annotations

import argparse
import functools
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import requests

from vtex_local.airflow_api import PASSWORDS_FILE, AirflowApi, admin_password
from vtex_local.postgres import EmbeddedPostgres
from vtex_local.shape import free_port
from vtex_local.supervisor import Service, Supervisor
from vtex_sandbox.contract_loader import DEFAULT_FOLDER

SANDBOX_KEY = "vtexappkey-sandbox-demo"
SANDBOX_TOKEN = "sandbox-token"  # the sandbox's demo credentials, not a secret
ACCOUNT = "sandbox"
SCHEDULED_DAGS = (
    "vtex_catalog_sync", "vtex_price_sync", "vtex_inventory_sync", "vtex_customers_import",
    "vtex_orders_feed", "vtex_orders_reconcile", "vtex_orders_fulfillment",
    # orders within seconds: the hook (its configuration kept hourly) and the inbox it fills
    "vtex_orders_hook_config", "vtex_orders_inbox",
)


class Stopped(Exception):
    """SIGINT or SIGTERM arrived."""


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def report(message: str) -> None:
    print(message, flush=True)


class Paths:
    """Where the local run keeps its state (under `root`, the project folder by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.state = self.root / ".state"
        self.airflow_home = self.root / ".airflow"
        self.logs = self.airflow_home / "process-logs"
        self.erp_db = self.state / "erp.db"


def airflow_env(paths: Paths, project: Path, api_port: int, metadata_url: str, state_url: str,
                sandbox_url: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    api_url = f"http://127.0.0.1:{api_port}"
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PROJECT_DIR": str(project),
        "AIRFLOW_HOME": str(paths.airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(project / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(project / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api_url}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": api_url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        # No async PostgreSQL driver (asyncpg) is installed; only optional endpoints use it.
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": "",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "VTEX_STATE_DB_URL": state_url,
        "VTEX_ORDERS_HOOK_URL": os.environ.get("VTEX_ORDERS_HOOK_URL", f"{api_url}/vtex/orders-hook/"),
        "ERP_DB_URL": f"sqlite:///{paths.erp_db}",
        "VTEX_BASE_URL": sandbox_url,
        "VTEX_APP_KEY": os.environ.get("VTEX_APP_KEY", SANDBOX_KEY),
        "VTEX_APP_TOKEN": os.environ.get("VTEX_APP_TOKEN", SANDBOX_TOKEN),
    }


def prepare_erp(paths: Paths, size: str, seed: int) -> None:
    """Demo ERP data dated the last hour (kept when it exists: the demo's changes build on it)."""
    if paths.erp_db.exists():
        step(f"demo ERP data already in {paths.erp_db}")
        return
    from vtex_demo.generator import generate, load_into

    base_time = (datetime.now(UTC) - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    counts = load_into(f"sqlite:///{paths.erp_db}", generate(size, seed=seed, base_time=base_time))
    step(f"demo ERP data ({size}): " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # a supervisor failure interrupts it with SIGTERM
        try:
            if check():
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


def contract_arguments(folder: Path) -> list[str]:
    """The sandbox's `--contract` arguments: VTEX's OpenAPI documents enforced, when in `folder`."""
    if not folder.is_dir() or not any(folder.glob("*.json")):
        step(f"no VTEX OpenAPI documents in {folder}: the sandbox runs without the contract check "
             "(pass --contract DIR to enforce it)")
        return []
    step(f"the sandbox enforces VTEX's OpenAPI documents in {folder}")
    return ["--contract", str(folder), "--contract-mode", "enforce"]


def contract_violations(sandbox_url: str, headers: dict[str, str]) -> int:
    """Print what the sandbox's contract check saw; the number of requests it refused."""
    contract = requests.get(f"{sandbox_url}/_sandbox/stats", headers=headers, timeout=10).json()["contract"]
    if contract["mode"] is None:
        return 0
    counts = contract["since_start"]
    print(f"VTEX contract ({contract['mode']}): {counts['validated']} requests checked, "
          f"{counts['violations']} against VTEX's documents", flush=True)
    for op in counts["by_operation"]:
        for rule in op["rules"]:
            print(f"  {op['operation']}: {rule['field']} {rule['rule']} x{rule['count']}: {rule['example']}")
    return int(counts["violations"])


def airflow_service(name: str, arguments: list[str], env: dict[str, str], paths: Paths) -> Service:
    command = [str(Path(sys.executable).parent / "airflow"), *arguments]
    return Service(name, command, paths.logs / f"{name}.log", env=env)


def print_summary(state_url: str, flow: str) -> None:
    from vtex_sync.flows.report import table
    from vtex_sync.state import StateStore
    from vtex_sync.steps import in_step_order

    store = StateStore(state_url)
    runs = store.runs(ACCOUNT, flow, limit=1)
    if not runs:
        print("no run summary recorded")
        return
    summary = runs[0].summary
    print(table(in_step_order(summary["totals"])))
    if summary.get("retries"):
        print("retried calls:", ", ".join(f"{k}: {v}" for k, v in sorted(summary["retries"].items())))
    print(f"failed records: {summary.get('failures', 0)}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--once", action="store_true",
                        help="run the initial setup, print the summary, stop everything (CI)")
    parser.add_argument("--size", default="demo", help="demo ERP size: tiny, demo, bench or a product count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port")
    parser.add_argument("--sandbox-port", type=int, default=8900)
    parser.add_argument("--contract", type=Path, default=None, metavar="DIR",
                        help="VTEX's OpenAPI documents the sandbox enforces (default: ../shared/vtex-openapi "
                             "next to the project, when present)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the initial setup")
    parser.add_argument("--tick", type=float, default=20, help="seconds between the live demo's ERP changes")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)  # tests
    parser.add_argument("--skip-setup", action="store_true", help=argparse.SUPPRESS)  # tests
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    project = Path(__file__).resolve().parents[2]
    paths = Paths(args.root)
    for folder in (paths.state, paths.airflow_home, paths.logs):
        folder.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(report)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signal.Signals(signum).name)

    def on_failure(message: str) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # wakes the main thread, which stops everything

    supervisor.on_failure = on_failure
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return run(args, project, paths, supervisor)
    except Stopped as stop:
        if supervisor.failure:
            step(f"stopping everything: {supervisor.failure}")
            return 1
        step(f"{stop} received: stopping everything")
        return 0
    except Exception as error:
        print(f"!! start failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        supervisor.stop_all()
        step("stopped")
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace, project: Path, paths: Paths, supervisor: Supervisor) -> int:
    prepare_erp(paths, args.size, args.seed)

    postgres = EmbeddedPostgres(paths.state / "postgres", free_port())
    postgres.initialise()
    supervisor.start(Service("postgres", postgres.command(), postgres.log_file, user=postgres.run_as(),
                             stop_signal=signal.SIGINT, last=True))
    supervisor.watch()
    postgres.wait_ready()
    for name in ("airflow", "vtex_state"):
        postgres.ensure_database(name)
    step(f"embedded PostgreSQL on 127.0.0.1:{postgres.port} (data in {paths.state / 'postgres'})")

    sandbox_url = f"http://127.0.0.1:{args.sandbox_port}"
    sandbox_cmd = [str(Path(sys.executable).parent / "vtex-sandbox"), "--host", "127.0.0.1",
                   "--port", str(args.sandbox_port), "--db", str(paths.state / "sandbox.db"),
                   "--account", ACCOUNT, "--cancel-request-share", "0" if args.once else "0.15"]
    sandbox_cmd += contract_arguments(args.contract or DEFAULT_FOLDER)
    sandbox_env = {**os.environ, "VTEX_SANDBOX_APP_KEY": SANDBOX_KEY, "VTEX_SANDBOX_APP_TOKEN": SANDBOX_TOKEN}
    supervisor.start(Service("sandbox", sandbox_cmd, paths.logs / "sandbox.log", env=sandbox_env))
    sandbox_headers = {"X-VTEX-API-AppKey": SANDBOX_KEY, "X-VTEX-API-AppToken": SANDBOX_TOKEN}
    wait_for(lambda: requests.get(f"{sandbox_url}/_sandbox/stats", headers=sandbox_headers, timeout=2).ok,
             60, "sandbox")
    step(f"VTEX sandbox on {sandbox_url} (state in {paths.state / 'sandbox.db'})")

    env = airflow_env(paths, project, args.port, postgres.url("airflow"), postgres.url("vtex_state"),
                      sandbox_url)
    step("migrating the Airflow metadata database")
    migrate = paths.logs / "db-migrate.log"
    with open(migrate, "ab") as log:
        subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env, check=True,
                       stdout=log, stderr=subprocess.STDOUT)
    step("loading airflow_settings.yaml (connections, pools, variables)")
    subprocess.run([sys.executable, "-m", "vtex_sync.deploy.settings", "apply", "--file",
                    str(project / "airflow_settings.yaml")], env=env, check=True, stdout=subprocess.DEVNULL)

    step(f"starting Airflow (api-server, scheduler, dag-processor, triggerer); logs in {paths.logs}")
    port = str(args.port)
    supervisor.start(airflow_service(
        "api-server", ["api-server", "--host", "127.0.0.1", "--port", port, "--workers", "1"], env, paths))
    supervisor.start(airflow_service("scheduler", ["scheduler", "--skip-serve-logs"], env, paths))
    supervisor.start(airflow_service("dag-processor", ["dag-processor"], env, paths))
    supervisor.start(airflow_service("triggerer", ["triggerer", "--skip-serve-logs"], env, paths))

    ui = f"http://127.0.0.1:{args.port}"
    wait_for(lambda: admin_password(paths.airflow_home) is not None, 180, "Airflow login")
    password = admin_password(paths.airflow_home)
    assert password is not None
    api = AirflowApi(ui, "admin", password)
    wait_for(api.healthy, 180, "Airflow")
    where = paths.airflow_home / PASSWORDS_FILE
    login = f"Airflow UI: {ui}  (log in as admin, password {password}; kept in {where})"
    step(login)
    wait_for(lambda: api.dag_parsed("vtex_initial_setup"), 180, "DAG vtex_initial_setup")

    if not args.skip_setup:
        run_id = api.trigger("vtex_initial_setup")
        step(f"triggered vtex_initial_setup run {run_id}; follow it at {ui}/dags/vtex_initial_setup")
        state = api.wait("vtex_initial_setup", run_id, args.timeout)
        step(f"vtex_initial_setup finished: {state}")
        print_summary(postgres.url("vtex_state"), "initial_setup")
        refused = contract_violations(sandbox_url, sandbox_headers)
        if args.once:
            return 0 if state == "success" and not refused else 1

    from vtex_local.live import LiveDemo

    config_run = api.trigger("vtex_orders_feed_config", {"action": "set"})
    step(f"vtex_orders_feed_config (action=set): {api.wait('vtex_orders_feed_config', config_run, 300)}")
    for dag_id in SCHEDULED_DAGS:
        wait_for(functools.partial(api.dag_parsed, dag_id), 120, f"DAG {dag_id}")
        api.unpause(dag_id)
    step("unpaused the scheduled DAGs: " + ", ".join(SCHEDULED_DAGS))
    hook_run = api.trigger("vtex_orders_hook_config", {"action": "set"})  # now, not in an hour
    step(f"vtex_orders_hook_config (action=set): {api.wait('vtex_orders_hook_config', hook_run, 120)}")
    demo = LiveDemo(f"sqlite:///{paths.erp_db}", sandbox_url, sandbox_headers, seed=args.seed,
                    tick=args.tick, report=report)
    demo.start()
    step("live demo: the ERP changes prices, stock and products and answers orders every "
         f"{args.tick:.0f}s; orders arrive in the sandbox")
    step(login + " - Ctrl-C stops everything")
    try:
        while True:
            time.sleep(1)
    finally:
        demo.stop()


if __name__ == "__main__":
    sys.exit(main())
