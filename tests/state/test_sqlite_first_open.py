"""Processes that open a new SQLite file at the same instant all get a working WAL connection
(SQLite refuses a journal-mode switch at once, without its busy handler, while another
connection holds the file)."""

from __future__ import annotations

import multiprocessing
import time
import traceback
from pathlib import Path

from sqlalchemy import text

from vtex_sync.db import make_engine

PROCESSES, ROUNDS = 8, 5


def _open_and_write(url: str, start_at: float, results) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    try:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS hits (n INTEGER)"))
            conn.execute(text("INSERT INTO hits VALUES (1)"))
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        engine.dispose()
        results.put(mode)
    except Exception:
        results.put(traceback.format_exc())


def test_processes_opening_a_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for round_ in range(ROUNDS):
        url = f"sqlite:///{tmp_path / f'fresh-{round_}.db'}"
        results = context.Queue()
        start_at = time.time() + 2.0
        children = [context.Process(target=_open_and_write, args=(url, start_at, results))
                    for _ in range(PROCESSES)]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=120) for _ in children]
        for child in children:
            child.join(30)
        assert outcomes == ["wal"] * PROCESSES, "\n".join(o for o in outcomes if o != "wal")
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM hits").scalar() == PROCESSES
        engine.dispose()
