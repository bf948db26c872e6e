"""The provider entry point registers the `vtex` connection type, its hook and its form."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from airflow.providers_manager import ProvidersManager
from cryptography.fernet import Fernet


@pytest.fixture(scope="module")
def manager() -> ProvidersManager:
    return ProvidersManager()


def test_provider_and_hook_registered(manager):
    assert "vtex-backoffice" in manager.providers
    hook = manager.hooks["vtex"]
    assert hook.hook_class_name == "vtex_provider.hooks.vtex.VtexHook"
    assert hook.connection_id_attribute_name == "vtex_conn_id"


def test_connection_form_fields_declared(manager):
    widgets = manager.connection_form_widgets
    for field in ("account_name", "environment", "base_url"):
        assert f"extra__vtex__{field}" in widgets
    assert widgets["extra__vtex__environment"].field["value"] == "vtexcommercestable"
    assert not widgets["extra__vtex__account_name"].is_sensitive


def test_field_behaviour_hides_http_fields_and_relabels_credentials(manager):
    behaviour = manager.field_behaviours["vtex"]
    assert set(behaviour["hidden_fields"]) == {"host", "schema", "port", "extra"}
    assert behaviour["relabeling"] == {"login": "App key", "password": "App token"}


@pytest.mark.airflow_db
def test_cli_keeps_vtex_conn_type():
    """`airflow connections add --conn-type vtex` must not fall back to `generic`."""
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),  # same key for add and get
        }
        airflow = [sys.executable, "-m", "airflow"]
        subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=120)
        subprocess.run(
            [*airflow, "connections", "add", "vtex_cli", "--conn-type", "vtex", "--conn-login", "k",
             "--conn-password", "t", "--conn-extra", json.dumps({"account_name": "acme"})],
            env=env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        out = subprocess.run(
            [*airflow, "connections", "get", "vtex_cli", "-o", "json"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr[-2000:] + out.stdout[-2000:]
        json_line = next(line for line in out.stdout.splitlines() if line.startswith("[{"))
        (conn,) = json.loads(json_line)
        assert conn["conn_type"] == "vtex"
        assert Path(home, "airflow.db").exists()
