"""The settings loader: airflow_settings.yaml lands in a real Airflow metadata DB, idempotently."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet

from vtex_sync.deploy import settings as loader
from vtex_sync.deploy.settings import SettingsError, load_settings

PROJECT_DIR = Path(__file__).resolve().parents[2]
SETTINGS_FILE = PROJECT_DIR / "airflow_settings.yaml"
APP_KEY = "vtexappkey-teststore-QWERTY"
APP_TOKEN = "token-Zx9-very-secret-8d7f6a"
ERP_PASSWORD = "erp-pw-5521-secret"

READ_BACK = """
import json
from sqlalchemy import select
from airflow.models import Connection, Pool, Variable
from airflow.utils.session import create_session
with create_session() as session:
    connections = [
        {"conn_id": c.conn_id, "conn_type": c.conn_type, "login": c.login, "password": c.password,
         "host": c.host, "extra": c.extra_dejson}
        for c in session.scalars(select(Connection).order_by(Connection.conn_id))
    ]
    pools = {p.pool: {"slots": p.slots, "description": p.description} for p in session.scalars(select(Pool))}
    variables = {v.key: v.val for v in session.scalars(select(Variable))}
print(json.dumps({"connections": connections, "pools": pools, "variables": variables}))
"""


@pytest.fixture(scope="module")
def airflow_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "VTEX_ACCOUNT_NAME": "teststore",
        "VTEX_APP_KEY": APP_KEY,
        "VTEX_APP_TOKEN": APP_TOKEN,
        "VTEX_BASE_URL": "http://127.0.0.1:18900",
        "ERP_DB_URL": f"postgresql+psycopg2://erp:{ERP_PASSWORD}@db.internal:5432/erp",
    }
    env.pop("VTEX_STATE_DB_URL", None)
    migrate = _run([sys.executable, "-m", "airflow", "db", "migrate"], env)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    return env


def _run(command: list[str], env: dict[str, str]) -> CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def _apply(env: dict[str, str], *extra: str, settings_file: Path = SETTINGS_FILE) -> CompletedProcess:
    command = [sys.executable, "-m", "vtex_sync.deploy.settings", "apply", "--file", str(settings_file)]
    return _run([*command, *extra], env)


def _settings(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    return path


def _read_back(env: dict[str, str]) -> dict[str, Any]:
    result = _run([sys.executable, "-c", READ_BACK], env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _connection(state: dict[str, Any], conn_id: str) -> dict[str, Any]:
    matches = [c for c in state["connections"] if c["conn_id"] == conn_id]
    assert len(matches) == 1, f"{conn_id}: {len(matches)} rows"
    return matches[0]


@pytest.mark.airflow_db
def test_apply_writes_connections_pools_and_variables_idempotently(airflow_env: dict[str, str]) -> None:
    first = _apply(airflow_env)
    assert first.returncode == 0, first.stderr
    state = _read_back(airflow_env)

    vtex = _connection(state, "vtex_default")
    assert vtex["conn_type"] == "vtex"
    assert (vtex["login"], vtex["password"]) == (APP_KEY, APP_TOKEN)
    assert vtex["extra"] == {
        "account_name": "teststore",
        "environment": "vtexcommercestable",
        "base_url": "http://127.0.0.1:18900",
    }
    erp = _connection(state, "erp_default")
    assert erp["conn_type"] == "generic"
    assert erp["extra"] == {"adapter": "sql", "url": airflow_env["ERP_DB_URL"]}
    state_store = _connection(state, "vtex_state")
    assert state_store["extra"]["url"] == f"sqlite:///{PROJECT_DIR}/.state/vtex_state.db"

    declared = yaml.safe_load(SETTINGS_FILE.read_text())["airflow"]
    for pool in declared["pools"]:
        assert state["pools"][pool["pool_name"]]["slots"] == pool["pool_slot"]
    assert {"vtex_catalog", "vtex_pricing", "vtex_logistics", "vtex_orders", "vtex_masterdata"} <= set(
        state["pools"]
    )
    settings_value = json.loads(state["variables"]["vtex_sync_settings"])
    assert settings_value["batch_size"] == 200
    assert settings_value == declared["variables"][0]["variable_value"]

    second = _apply(airflow_env)
    assert second.returncode == 0, second.stderr
    assert _read_back(airflow_env) == state

    for output in (first.stdout + first.stderr, second.stdout + second.stderr):
        for secret in (APP_KEY, APP_TOKEN, ERP_PASSWORD):
            assert secret not in output
    kinds = {"connection", "pool", "variable"}
    object_lines = [line for line in first.stdout.splitlines() if line.split(" ")[0] in kinds]
    assert len(object_lines) == 4 + 5 + 1


@pytest.mark.airflow_db
def test_a_changed_value_replaces_the_old_one(airflow_env: dict[str, str], tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(
        "airflow:\n"
        "  connections:\n"
        "    - {conn_id: replace_me, conn_type: vtex, conn_login: a, conn_password: '${REPLACE_TOKEN}',\n"
        "       conn_extra: {account_name: one, base_url: 'http://x'}}\n"
        "  pools:\n"
        "    - {pool_name: replace_pool, pool_slot: 3}\n"
    )
    first = _apply({**airflow_env, "REPLACE_TOKEN": "first-token"}, settings_file=settings_file)
    assert first.returncode == 0, first.stderr
    settings_file.write_text(
        settings_file.read_text().replace("account_name: one, base_url: 'http://x'", "account_name: two")
        .replace("pool_slot: 3", "pool_slot: 5")
    )
    second = _apply({**airflow_env, "REPLACE_TOKEN": "second-token"}, settings_file=settings_file)
    assert second.returncode == 0, second.stderr
    state = _read_back(airflow_env)
    replaced = _connection(state, "replace_me")
    assert replaced["password"] == "second-token"
    assert replaced["extra"] == {"account_name": "two"}
    assert state["pools"]["replace_pool"]["slots"] == 5


@pytest.mark.airflow_db
def test_dry_run_lists_objects_and_changes_nothing(airflow_env: dict[str, str], tmp_path: Path) -> None:
    connection = "  - conn_id: dry_only\n    conn_type: http\n    conn_password: ${S}\n"
    settings_file = _settings(tmp_path, "airflow:\n  connections:\n" + connection)
    result = _apply({**airflow_env, "S": "dry-secret-value"}, "--dry-run", settings_file=settings_file)
    assert result.returncode == 0, result.stderr
    assert "dry_only" in result.stdout and "dry-secret-value" not in result.stdout
    assert all(c["conn_id"] != "dry_only" for c in _read_back(airflow_env)["connections"])


def test_missing_variable_is_named_and_nothing_is_applied(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "VTEX_APP_TOKEN"}
    env["VTEX_APP_KEY"] = APP_KEY
    text = SETTINGS_FILE.read_text().replace("${VTEX_APP_TOKEN:-sandbox-token}", "${VTEX_APP_TOKEN}")
    settings_file = _settings(tmp_path, text)
    result = _apply(env, settings_file=settings_file)
    assert result.returncode == 1
    assert "VTEX_APP_TOKEN" in result.stderr and "not set" in result.stderr
    assert APP_KEY not in result.stdout + result.stderr
    with pytest.raises(SettingsError, match="VTEX_APP_TOKEN"):
        load_settings(settings_file, env)


def test_validation_errors_name_the_field_but_not_the_value(tmp_path: Path) -> None:
    settings_file = _settings(
        tmp_path, "airflow:\n  connections:\n    - {conn_id: c, conn_type: vtex, conn_port: '${TOKEN}'}\n"
    )
    with pytest.raises(SettingsError) as raised:
        load_settings(settings_file, {"TOKEN": "leaky-secret-4242"})
    assert "conn_port" in str(raised.value)
    assert "leaky-secret-4242" not in str(raised.value)


def test_duplicate_names_are_rejected(tmp_path: Path) -> None:
    pools = "    - {pool_name: p, pool_slot: 1}\n    - {pool_name: p, pool_slot: 2}\n"
    settings_file = _settings(tmp_path, "airflow:\n  pools:\n" + pools)
    with pytest.raises(SettingsError, match="duplicate pool names: p"):
        load_settings(settings_file, {})


def test_cli_input_files_are_private_and_removed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: dict[str, int] = {}

    def run_and_inspect(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
        for group in json.loads(command[-1]):
            path = Path(group[-1])
            seen[path.name] = stat.S_IMODE(path.stat().st_mode)
            assert APP_TOKEN not in " ".join(command), "a secret travelled on the command line"
        return subprocess.CompletedProcess(command, 1, "", f"boom {APP_TOKEN}")

    monkeypatch.setattr(loader.subprocess, "run", run_and_inspect)
    objects = load_settings(SETTINGS_FILE, {"VTEX_APP_TOKEN": APP_TOKEN, "VTEX_APP_KEY": APP_KEY})
    with pytest.raises(SettingsError) as raised:
        loader.apply_settings(objects, env={})
    assert set(seen) == {"connections.json", "pools.json", "variables.json"}
    assert set(seen.values()) == {0o600}
    assert list(tmp_path.iterdir()) == []
    assert APP_TOKEN not in str(raised.value) and "boom ***" in str(raised.value)
