"""Test-wide settings: Airflow state goes to a throwaway home, never the user's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]

_airflow_home = tempfile.mkdtemp(prefix="vtex-airflow-home-")
os.environ.setdefault("AIRFLOW_HOME", _airflow_home)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_DIR / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(PROJECT_DIR / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Initialise the metadata DB in the throwaway AIRFLOW_HOME (for dag.test()), with the pools."""
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                   capture_output=True, timeout=300)
    pools = {name: {"slots": 8, "description": name, "include_deferred": False}
             for name in ("vtex_catalog", "vtex_pricing", "vtex_logistics", "vtex_orders", "vtex_masterdata")}
    pools_file = Path(_airflow_home) / "pools.json"
    pools_file.write_text(json.dumps(pools))
    subprocess.run([sys.executable, "-m", "airflow", "pools", "import", str(pools_file)], env=env,
                   check=True, capture_output=True, timeout=120)
