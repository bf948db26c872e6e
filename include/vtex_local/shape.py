"""The production shape without containers: CeleryExecutor, PostgreSQL, Redis, one process each.

Starts, on this machine, what docker-compose.yaml runs: `airflow scheduler`, `dag-processor`,
`api-server` (on a free port), `triggerer` and N `celery worker` processes, against throwaway
PostgreSQL databases (metadata and state store) and a dedicated Redis database. Used by the
end-to-end tests::

    with ProductionShape(dags_folder, "airflow_settings.yaml", env).start() as shape:
        run_id = shape.trigger("my_dag", {"key": "value"})
        assert shape.wait("my_dag", run_id, timeout=300) == "success"
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

from vtex_local.databases import create_database, database_url, drop_database
from vtex_sync.deploy.settings import apply_settings, load_settings

# the api-server of a busy 2-core machine can take tens of seconds to answer (a token, a DAG)
API_TIMEOUT_S = 60

FINISHED_STATES = frozenset({"success", "failed"})


class ShapeError(RuntimeError):
    """A process of the shape failed to start or died."""


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ProductionShape:
    """Airflow with CeleryExecutor on local PostgreSQL and Redis, run as plain processes."""

    def __init__(
        self,
        dags_folder: str | Path,
        settings_file: str | Path,
        env: Mapping[str, str] | None = None,
        *,
        workers: int = 2,
        worker_concurrency: int = 4,
        postgres_url: str = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres",
        redis_url: str = "redis://127.0.0.1:6379/13",
        startup_timeout: float = 180.0,
    ) -> None:
        self.dags_folder = Path(dags_folder).resolve()
        self.settings_file = Path(settings_file).resolve()
        self.extra_env = dict(env or {})
        self.workers = workers
        self.worker_concurrency = worker_concurrency
        self.postgres_url = postgres_url
        self.redis_url = redis_url
        self.startup_timeout = startup_timeout
        self.name = f"vtex_shape_{secrets.token_hex(4)}"
        self.home: Path | None = None
        self.api_url = ""
        self.metadata_db_url = ""
        self.state_db_url = ""
        self._databases: list[str] = []
        self._processes: list[_Process] = []
        self._env: dict[str, str] = {}
        self._session = requests.Session()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> ProductionShape:
        """Create the databases and the Airflow home, migrate, apply settings, start everything."""
        try:
            self._prepare()
            self._run_once("db-migrate", ["db", "migrate"])
            apply_settings(load_settings(self.settings_file, self._env), self._env)
            self._spawn_all()
            self._wait_until_healthy()
        except BaseException:
            self.print_logs()
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every process this shape started, drop its databases, delete its home."""
        _terminate_groups([process.popen for process in self._processes])
        self._processes.clear()
        for name in self._databases:
            drop_database(self.postgres_url, name)
        self._databases.clear()
        self._session.close()
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> ProductionShape:
        return self if self._processes else self.start()

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is not None:
            self.print_logs()
        self.stop()

    # -- DAG runs --------------------------------------------------------------------------

    def trigger(self, dag_id: str, conf: Mapping[str, Any] | None = None, timeout: float = 120.0) -> str:
        """Unpause `dag_id` once it is parsed, start a manual run and return its run id."""
        self._wait_for_dag(dag_id, timeout)
        self._api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        body = {"logical_date": None, "conf": dict(conf or {})}
        return self._api("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body)["dag_run_id"]

    def wait(self, dag_id: str, run_id: str, timeout: float = 300.0) -> str:
        """Wait until the run finishes and return its state ("success" or "failed")."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            state = self._api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]
            if state in FINISHED_STATES:
                return state
            time.sleep(1)
        self.print_logs()
        raise TimeoutError(f"run {run_id} of {dag_id} did not finish within {timeout:.0f}s")

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call to the REST API (``/api/v2/...``) as the admin; the JSON answer."""
        return self._api(method, path, **kwargs)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """The task instances of one run, as the REST API returns them."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=1000"
        return self._api("GET", path)["task_instances"]

    def task_tries(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> list[dict[str, Any]]:
        """Every try of one task instance (earlier tries included), as the REST API returns them."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
        path += f"/{map_index}/tries" if map_index >= 0 else "/tries"
        return self._api("GET", path)["task_instances"]

    def print_logs(self, lines: int = 60) -> None:
        """Print the last lines of every process log (to stderr)."""
        if self.home is None:
            return
        for log_path in sorted((self.home / "process-logs").glob("*.log")):
            tail = log_path.read_text(errors="replace").splitlines()[-lines:]
            print(f"----- {log_path.name} (last {len(tail)} lines) -----", file=sys.stderr)
            print("\n".join(tail), file=sys.stderr)

    # -- internals -------------------------------------------------------------------------

    def _prepare(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        (self.home / "process-logs").mkdir()
        for suffix in ("airflow", "state"):
            create_database(self.postgres_url, f"{self.name}_{suffix}")
            self._databases.append(f"{self.name}_{suffix}")
        metadata = database_url(self.postgres_url, f"{self.name}_airflow")
        self.metadata_db_url = metadata.render_as_string(hide_password=False)
        self.state_db_url = database_url(self.postgres_url, f"{self.name}_state").render_as_string(
            hide_password=False
        )
        # SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, so the driver stays explicit.
        result_backend = "db+" + self.metadata_db_url
        port = free_port()
        self.api_url = f"http://127.0.0.1:{port}"
        self._env = {
            **os.environ,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(max(16, self.workers * self.worker_concurrency)),
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.api_url}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": self.api_url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_db_url,
            # No async PostgreSQL driver (asyncpg) is installed; only optional endpoints use it.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": "",
            "AIRFLOW__CELERY__BROKER_URL": self.redis_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": result_backend,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.worker_concurrency),
            # A queue of its own keeps parallel shapes on one Redis from taking each other's tasks.
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.name,
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "VTEX_STATE_DB_URL": self.state_db_url,
            **self.extra_env,
        }

    def _spawn_all(self) -> None:
        port = self._env["AIRFLOW__API__PORT"]
        self._spawn("api-server", ["api-server", "--host", "127.0.0.1", "--port", port, "--workers", "1"])
        self._spawn("scheduler", ["scheduler"])
        self._spawn("dag-processor", ["dag-processor"])
        self._spawn("triggerer", ["triggerer"])
        for number in range(1, self.workers + 1):
            worker = f"w{number}_{self.name}"
            command = ["celery", "worker", "-H", f"{worker}@%h", "-c", str(self.worker_concurrency)]
            extra = {
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                # Task instances record the worker's name as their host name.
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "vtex_sync.deploy.hostname.worker_hostname",
                "VTEX_WORKER_NAME": worker,
            }
            self._spawn(f"worker-{number}", command, extra)

    def _spawn(self, name: str, arguments: list[str], extra_env: Mapping[str, str] | None = None) -> None:
        assert self.home is not None
        log_path = self.home / "process-logs" / f"{name}.log"
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "airflow", *arguments],
                env={**self._env, **(extra_env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, so stop() reaches its children
            )
        self._processes.append(_Process(name, popen, log_path))

    def _run_once(self, name: str, arguments: list[str]) -> None:
        assert self.home is not None
        log_path = self.home / "process-logs" / f"{name}.log"
        with open(log_path, "wb") as log:
            result = subprocess.run(
                [sys.executable, "-m", "airflow", *arguments],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if result.returncode != 0:
            raise ShapeError(f"airflow {' '.join(arguments)} failed with exit code {result.returncode}")

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if self._components_healthy() and self._workers_ready():
                return
            time.sleep(1)
        raise ShapeError(f"not healthy after {self.startup_timeout:.0f}s")

    def _components_healthy(self) -> bool:
        try:
            health = self._session.get(f"{self.api_url}/api/v2/monitor/health", timeout=5).json()
        except (requests.RequestException, ValueError):
            return False
        components = ("metadatabase", "scheduler", "triggerer", "dag_processor")
        return all((health.get(part) or {}).get("status") == "healthy" for part in components)

    def _workers_ready(self) -> bool:
        logs = [p.log_path for p in self._processes if p.name.startswith("worker-")]
        return all(" ready." in path.read_text(errors="replace") for path in logs)

    def _check_alive(self) -> None:
        for process in self._processes:
            if process.popen.poll() is not None:
                raise ShapeError(f"{process.name} exited with code {process.popen.returncode}")

    def _wait_for_dag(self, dag_id: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            url = f"{self.api_url}/api/v2/dags/{dag_id}"
            try:
                response = self._session.get(url, headers=self._auth(), timeout=API_TIMEOUT_S)
            except requests.Timeout:  # a busy api-server: ask again until the deadline
                continue
            if response.status_code == 200:
                return
            self._check_alive()
            time.sleep(1)
        raise TimeoutError(f"DAG {dag_id} was not parsed within {timeout:.0f}s")

    def _auth(self) -> dict[str, str]:
        response = self._session.get(f"{self.api_url}/auth/token", timeout=API_TIMEOUT_S)
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def _api(self, method: str, path: str, **kwargs: Any) -> Any:
        url = self.api_url + path
        response = self._session.request(method, url, headers=self._auth(), timeout=API_TIMEOUT_S, **kwargs)
        if response.status_code >= 400:
            raise ShapeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json()


def _terminate_groups(popens: list[subprocess.Popen[bytes]], grace: float = 20.0) -> None:
    """SIGTERM the process group of each leader, then SIGKILL what is left after `grace` s."""
    for popen in popens:
        _signal_group(popen, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for popen in popens:
        try:
            popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for popen in popens:
        _signal_group(popen, signal.SIGKILL)  # also children that outlived their leader
        popen.wait()


def _signal_group(popen: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(popen.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
