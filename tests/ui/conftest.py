"""The incremental tests' shop, plus a real Airflow api-server serving the VTEX page."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.incremental.conftest import Shop, sandbox, shop  # noqa: F401

# one Fernet key for the whole session (set before any test runs, so this process's cached key
# and every api-server's agree: they share the metadata DB and its encrypted trigger arguments)
os.environ.setdefault("AIRFLOW__CORE__FERNET_KEY", Fernet.generate_key().decode())
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def chromium() -> str:
    """The OS package's Chromium (Playwright's own browser download is not used)."""
    found = os.environ.get("CHROMIUM_PATH") or next((p for p in CHROMIUM_PATHS if shutil.which(p)), None)
    if not found:
        pytest.skip("no Chromium installed (apt-get install chromium); the browser test needs it")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ApiServer:
    base_url: str
    password: str
    log: Path

    def token(self) -> str:
        response = httpx.post(
            f"{self.base_url}/auth/token", json={"username": "admin", "password": self.password}
        )
        response.raise_for_status()
        return str(response.json()["access_token"])


def _airflow(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "airflow", *args], env=env, check=True, capture_output=True, timeout=300
    )


@pytest.fixture
def api_server(
    shop: Shop,  # noqa: F811
    airflow_db: None,
    tmp_path: Path,
) -> Iterator[ApiServer]:
    """``airflow api-server`` with the simple auth manager (one admin with a known password),
    the project's plugins and the DAGs serialised (a re-drive triggers a real DAG run)."""
    password = secrets.token_urlsafe(12)
    passwords = tmp_path / "passwords.json"
    passwords.write_text(json.dumps({"admin": password}))
    port = free_port()
    env = dict(os.environ)
    env |= {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        "AIRFLOW__CORE__LAZY_LOAD_PLUGINS": "False",
    }
    _airflow("dags", "reserialize", env=env)
    log = tmp_path / "api-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "airflow", "api-server", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise AssertionError(f"api-server exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base_url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"api-server not up after 120 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield ApiServer(base_url, password, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
