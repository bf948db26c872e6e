"""The failures tests' environment: tiny demo data in an ERP database, a VTEX sandbox over HTTP
(in this process) and a state store, wired through the connections a deployment uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.contract import contract_knobs
from tests.setup.conftest import APP_KEY, APP_TOKEN, Store, wire
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    config = SandboxConfig(account="setupshop", app_key=APP_KEY, app_token=APP_TOKEN, seed=2,
                           **contract_knobs())
    server = SandboxServer(config)
    try:
        base_url = server.start()
        erp_url, state_url = wire(monkeypatch, tmp_path, base_url)
        load_into(erp_url, generate("tiny", seed=3))
        with httpx.Client(base_url=base_url, headers=auth_headers(config), timeout=30) as admin:
            yield Store(erp_url, state_url, base_url, admin, server)
    finally:
        server.stop()
