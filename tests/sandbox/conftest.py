"""Fixtures for sandbox tests: a real uvicorn server on a free port and an authenticated client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.contract import contract_knobs
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers


@pytest.fixture(scope="session")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(
        account="testshop",
        app_key="vtexappkey-testshop-x",
        app_token="test-token",
        seed=7,
        **contract_knobs(),
    )


@pytest.fixture(scope="session")
def sandbox_server(sandbox_config: SandboxConfig) -> Iterator[SandboxServer]:
    """One in-process sandbox shared by the session (tests reset state through the admin API)."""
    server = SandboxServer(sandbox_config)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sandbox_url(sandbox_server: SandboxServer) -> str:
    return sandbox_server.base_url


@pytest.fixture(scope="session")
def sandbox_credentials(sandbox_config: SandboxConfig) -> dict[str, str]:
    return auth_headers(sandbox_config)


@pytest.fixture
def vtex(sandbox_url: str, sandbox_credentials: dict[str, str]) -> Iterator[httpx.Client]:
    """An httpx client with VTEX credentials, on a freshly reset sandbox with no faults."""
    with httpx.Client(base_url=sandbox_url, headers=sandbox_credentials, timeout=10) as client:
        client.post("/_sandbox/reset").raise_for_status()
        client.post("/_sandbox/faults", json={"error_5xx": 0, "rate_429": 0, "lost_response": 0})
        yield client
