"""Fixtures for sandbox tests: a real uvicorn server on a free port and an authenticated client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.contract import contract_folder_or_skip, contract_knobs
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers

NO_FAULTS = {
    "error_5xx": 0, "rate_429": 0, "lost_response": 0, "image_applied_error": 0, "stock_applied_500": 0,
    "inventory_lock": 0, "case_sensitive_warehouses": False, "bulk_confirm_seconds": 0,
}  # fmt: skip


@pytest.fixture(scope="session")
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(
        account="testshop",
        app_key="vtexappkey-testshop-x",
        app_token="test-token",
        seed=7,
        # The handlers' own checks are tested here with deliberately short bodies, so this sandbox
        # only counts contract violations; `strict` below enforces them.
        **{**contract_knobs(), "contract_mode": "report"},
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
        client.post("/_sandbox/faults", json=NO_FAULTS).raise_for_status()
        client.delete("/_sandbox/inventory-locks").raise_for_status()
        yield client


def _client(server: SandboxServer) -> httpx.Client:
    json_headers = {"Accept": "application/json", "Content-Type": "application/json"}
    headers = {**auth_headers(server.config), **json_headers}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def strict_server() -> Iterator[SandboxServer]:
    """A sandbox that enforces VTEX's published contract (``--contract-mode enforce``)."""
    config = SandboxConfig(
        account="strictshop", seed=7, rate_limit_scale=0, contract_dir=contract_folder_or_skip(),
        contract_mode="enforce",
    )  # fmt: skip
    server = SandboxServer(config)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def strict(strict_server: SandboxServer) -> Iterator[httpx.Client]:
    """A client of the enforcing sandbox, reset, with every fault off."""
    with _client(strict_server) as client:
        client.post("/_sandbox/reset").raise_for_status()
        client.post("/_sandbox/faults", json=NO_FAULTS).raise_for_status()
        client.delete("/_sandbox/inventory-locks").raise_for_status()
        yield client
