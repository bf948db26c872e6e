"""The demo's sandbox enforces VTEX's OpenAPI documents when their folder is there, and says so."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.contract import CONTRACT_DIR, JSON_HEADERS, contract_folder_or_skip
from vtex_local.launcher import contract_arguments, contract_violations, parse_args
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers


def test_the_documents_folder_makes_the_sandbox_enforce_the_contract(capsys: pytest.CaptureFixture[str]):
    folder = CONTRACT_DIR if CONTRACT_DIR.is_dir() else None
    if folder is None:
        pytest.skip(f"VTEX's OpenAPI documents are not in {CONTRACT_DIR.name} next to the project")
    assert contract_arguments(folder) == ["--contract", str(folder), "--contract-mode", "enforce"]
    assert "enforces VTEX's OpenAPI documents" in capsys.readouterr().out


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_without_documents_the_demo_runs_unchecked_and_prints_why(
    make: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    folder = tmp_path / "vtex-openapi"
    if make == "empty":
        folder.mkdir()
        (folder / "SOURCE.md").write_text("no documents")
    assert contract_arguments(folder) == []
    out = capsys.readouterr().out
    assert f"no VTEX OpenAPI documents in {folder}" in out and "--contract DIR" in out


def test_the_folder_can_be_named_on_the_command_line(tmp_path: Path):
    assert parse_args(["--contract", str(tmp_path)]).contract == tmp_path
    assert parse_args([]).contract is None


def test_the_demo_counts_and_prints_every_request_the_contract_refused(capsys: pytest.CaptureFixture[str]):
    folder = contract_folder_or_skip()
    config = SandboxConfig(rate_limit_scale=0, contract_dir=folder, contract_mode="enforce")
    with SandboxServer(config) as base_url:
        headers = {**auth_headers(config), **JSON_HEADERS}
        assert contract_violations(base_url, headers) == 0
        bad = httpx.put(f"{base_url}/api/logistics/pvt/inventory/skus/1/warehouses/w", headers=headers,
                        json={"quantity": 1, "leadTime": "00:00:00"}, timeout=10)
        assert bad.status_code == 400
        assert contract_violations(base_url, headers) == 1
    out = capsys.readouterr().out
    assert "1 against VTEX's documents" in out and "body.leadTime documented-format x1" in out


def test_a_sandbox_without_the_contract_reports_nothing(capsys: pytest.CaptureFixture[str]):
    config = SandboxConfig(rate_limit_scale=0)
    with SandboxServer(config) as base_url:
        assert contract_violations(base_url, auth_headers(config)) == 0
    assert capsys.readouterr().out == ""
