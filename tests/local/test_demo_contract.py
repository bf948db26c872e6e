"""The demo's sandbox enforces VTEX's OpenAPI documents when their folder is there, and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract import CONTRACT_DIR
from vtex_local.launcher import contract_arguments, parse_args


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
