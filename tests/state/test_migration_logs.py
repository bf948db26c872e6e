"""Opening the state store (what every task does first) puts no migration lines in its log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from vtex_sync.state import StateStore


def test_opening_the_state_store_logs_no_migration_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    url = f"sqlite:///{tmp_path / 'state.db'}"
    first = StateStore(url, migrate=False)
    first.migrate()  # a new store: every migration runs
    head = first.current_revision()
    StateStore(url, migrate=False).migrate()  # already at head, as in every later task
    captured = capsys.readouterr()
    shown = caplog.text + captured.out + captured.err
    assert head is not None
    for line in ("Running upgrade", "Context impl", "Will assume"):
        assert line not in shown, f"a migration line in the log: {line!r}"
    assert not [r for r in caplog.records if r.name.startswith("alembic")]
