"""The few Airflow REST calls the launcher and its tests make, logged in as the local admin."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import requests
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

# A busy machine can keep the api-server from answering for a while: such calls are tried again.
_retry_slow = retry(
    retry=retry_if_exception_type((requests.ConnectionError, requests.Timeout)),
    stop=stop_after_attempt(5),
    wait=wait_exponential(multiplier=2, max=30),
    reraise=True,
)

FINISHED = ("success", "failed")
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"


def admin_password(airflow_home: Path, user: str = "admin") -> str | None:
    """The password Airflow's simple auth manager generated for `user` (None until it has)."""
    try:
        return json.loads((airflow_home / PASSWORDS_FILE).read_text())[user]
    except (OSError, ValueError, KeyError):
        return None


class AirflowApi:
    """REST client with a bearer token from ``POST /auth/token`` (renewed when it expires)."""

    def __init__(self, url: str, username: str, password: str) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.session = requests.Session()
        self._token: str | None = None

    @_retry_slow
    def _login(self) -> str:
        response = self.session.post(
            f"{self.url}/auth/token", json={"username": self.username, "password": self.password}, timeout=30
        )
        response.raise_for_status()
        return response.json()["access_token"]

    @_retry_slow
    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._login()
            headers = {"Authorization": f"Bearer {self._token}"}
            response = self.session.request(method, self.url + path, headers=headers, timeout=60, **kwargs)
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            if response.status_code >= 400:
                raise requests.HTTPError(
                    f"{method} {path} -> {response.status_code}: {response.text[:300]}", response=response
                )
            return response.json() if response.content else None
        raise AssertionError("unreachable")

    def healthy(self, components: tuple[str, ...] = ("metadatabase", "scheduler")) -> bool:
        health = self.session.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
        return all((health.get(part) or {}).get("status") == "healthy" for part in components)

    def dag_parsed(self, dag_id: str) -> bool:
        try:
            self.call("GET", f"/api/v2/dags/{dag_id}")
        except requests.HTTPError as error:
            if error.response is not None and error.response.status_code == 404:
                return False
            raise
        return True

    def unpause(self, dag_id: str) -> None:
        self.call("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        self.unpause(dag_id)
        body = {"logical_date": None, "conf": conf or {}}
        run = self.call("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body)
        return run["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def wait(self, dag_id: str, run_id: str, timeout: float, poll: float = 3.0) -> str:
        """The run's final state, or its current one when `timeout` passes first."""
        deadline = time.monotonic() + timeout
        state = self.run_state(dag_id, run_id)
        while state not in FINISHED and time.monotonic() < deadline:
            time.sleep(poll)
            state = self.run_state(dag_id, run_id)
        return state

    def dag_runs(self, dag_id: str, **filters: Any) -> list[dict[str, Any]]:
        params = {"limit": 100, **filters}
        return self.call("GET", f"/api/v2/dags/{dag_id}/dagRuns", params=params)["dag_runs"]
