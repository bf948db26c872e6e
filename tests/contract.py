"""How the test suite's sandboxes check requests against VTEX's published contract.

Every fixture that starts a sandbox passes ``**contract_knobs()``: VTEX's OpenAPI documents in
``../shared/vtex-openapi`` and the mode from ``VTEX_SANDBOX_CONTRACT_MODE`` (``enforce`` by
default: a request VTEX's documents reject answers 400 and fails its test; ``report`` only
counts it; ``off``). Without the folder the check is skipped with a printed reason. The
sandbox tests' shared server counts only (they send short bodies to test the handlers' own
checks); their ``strict`` fixture enforces. ``VTEX_SANDBOX_CONTRACT_REPORT=<file>`` appends
each sandbox's contract statistics to that file (one JSON line per sandbox) when the fixture
stops it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from vtex_sandbox.contract_loader import DEFAULT_FOLDER

PROJECT_DIR = Path(__file__).resolve().parents[1]
CONTRACT_DIR = DEFAULT_FOLDER
MODE_ENV = "VTEX_SANDBOX_CONTRACT_MODE"
# VTEX's documents mark Accept and Content-Type required on its routes: a raw test client sends both
JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}
REPORT_ENV = "VTEX_SANDBOX_CONTRACT_REPORT"
DEFAULT_MODE = "enforce"
_warned: set[str] = set()


def _say_once(reason: str) -> None:
    if reason not in _warned:
        _warned.add(reason)
        print(f"\n[contract] {reason}", file=sys.stderr, flush=True)


def contract_knobs() -> dict[str, Any]:
    """``SandboxConfig`` keyword arguments for the contract check (empty when it is skipped)."""
    mode = os.environ.get(MODE_ENV, DEFAULT_MODE).strip().lower() or DEFAULT_MODE
    if mode == "off":
        _say_once(f"VTEX contract check skipped: {MODE_ENV}=off")
        return {}
    if mode not in ("enforce", "report"):
        raise ValueError(f"{MODE_ENV}={mode!r}: expected enforce, report or off")
    if not CONTRACT_DIR.is_dir() or not any(CONTRACT_DIR.glob("*.json")):
        _say_once(
            f"VTEX contract check skipped: no OpenAPI documents in {CONTRACT_DIR.name} next to the project"
        )
        return {}
    return {"contract_dir": str(CONTRACT_DIR), "contract_mode": mode}


def record_contract_stats(base_url: str, headers: dict[str, str], label: str) -> None:
    """Append the sandbox's contract statistics to ``$VTEX_SANDBOX_CONTRACT_REPORT`` (if set)."""
    target = os.environ.get(REPORT_ENV)
    if not target:
        return
    try:
        stats = httpx.get(f"{base_url}/_sandbox/stats", headers=headers, timeout=10).json()["contract"]
    except (httpx.HTTPError, KeyError, ValueError):
        return
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps({"sandbox": label, "mode": stats["mode"], **stats["since_start"]}) + "\n")


def contract_folder_or_skip() -> str:
    """VTEX's OpenAPI folder for tests that need it (skipped with the reason when absent)."""
    import pytest

    if not CONTRACT_DIR.is_dir() or not any(CONTRACT_DIR.glob("*.json")):
        pytest.skip(f"VTEX's OpenAPI documents are not in {CONTRACT_DIR.name} next to the project")
    return str(CONTRACT_DIR)
