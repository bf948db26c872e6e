"""What the benchmarks share: a wired sandbox, its call statistics, pool sizes, peak memory."""

from __future__ import annotations

import json
import os
import resource
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import yaml

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.contract_loader import DEFAULT_FOLDER as CONTRACT_FOLDER
from vtex_sandbox.server import auth_headers

PROJECT = Path(__file__).resolve().parent.parent


def contract_settings() -> dict[str, str]:
    """The sandbox settings that enforce VTEX's OpenAPI documents; none (and a note) without them."""
    if not CONTRACT_FOLDER.is_dir() or not any(CONTRACT_FOLDER.glob("*.json")):
        print(f"no VTEX OpenAPI documents in {CONTRACT_FOLDER}: the sandbox checks no contract", flush=True)
        return {}
    return {"contract_dir": str(CONTRACT_FOLDER), "contract_mode": "enforce"}


def wire_connections(config: SandboxConfig, base_url: str, erp_url: str, state_url: str) -> None:
    """Point the ``vtex_default``, ``erp_default`` and ``vtex_state`` connections at the benchmark."""
    connections = {
        "VTEX_DEFAULT": {
            "conn_type": "vtex",
            "login": config.app_key,
            "password": config.app_token,
            "extra": {"account_name": config.account, "base_url": base_url},
        },
        "ERP_DEFAULT": {"conn_type": "generic", "extra": {"adapter": "sql", "url": erp_url}},
        "VTEX_STATE": {"conn_type": "generic", "extra": {"url": state_url}},
    }
    for name, value in connections.items():
        os.environ[f"AIRFLOW_CONN_{name}"] = json.dumps(value)


def use_settings(**settings: Any) -> None:
    """Set the ``vtex_sync_settings`` Airflow variable for this process and its children."""
    os.environ["AIRFLOW_VAR_VTEX_SYNC_SETTINGS"] = json.dumps(settings)


def pool_slots(path: Path = PROJECT / "airflow_settings.yaml") -> dict[str, int]:
    """Pool sizes as the deployment declares them."""
    pools = yaml.safe_load(path.read_text())["airflow"]["pools"]
    return {p["pool_name"]: int(p["pool_slot"]) for p in pools}


class SandboxStats:
    """Reads the sandbox's per-route counters (``/_sandbox/stats``)."""

    def __init__(self, base_url: str, config: SandboxConfig) -> None:
        self.client = httpx.Client(base_url=base_url, headers=auth_headers(config), timeout=60)

    def reset(self) -> None:
        self.client.post("/_sandbox/stats/reset").raise_for_status()

    def snapshot(self) -> dict[str, Any]:
        return self.client.get("/_sandbox/stats").raise_for_status().json()

    def rows(self) -> list[dict[str, Any]]:
        return self.snapshot()["by_route"]

    def cpu_seconds(self) -> float:
        """The sandbox process's CPU time so far (every thread)."""
        return float(self.snapshot()["cpu_seconds"])

    def contract(self) -> dict[str, Any]:
        """The contract check's mode and its counts since the last reset."""
        return dict(self.snapshot()["contract"])

    def by_status(self) -> Counter[int]:
        counts: Counter[int] = Counter()
        for row in self.rows():
            counts[row["status"]] += row["count"]
        return counts

    def close(self) -> None:
        self.client.close()


def peak_rss_mb() -> float:
    """This process's max RSS so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
