"""Loads a folder of VTEX OpenAPI documents once per process (sandboxes in one process share it)."""

from __future__ import annotations

import threading
from pathlib import Path

from vtex_sandbox.contract import Contract

# where the project finds VTEX's OpenAPI documents (read at run time, not shipped with it)
DEFAULT_FOLDER = Path(__file__).resolve().parents[2].parent / "shared" / "vtex-openapi"

_cache: dict[tuple[str, tuple[tuple[str, int], ...]], Contract] = {}
_lock = threading.Lock()


def load_contract(folder: str | Path) -> Contract:
    """The contract in ``folder``; reloaded only when a document changed."""
    root = Path(folder).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"--contract {folder}: no such folder")
    key = (str(root), tuple((p.name, p.stat().st_mtime_ns) for p in sorted(root.glob("*.json"))))
    with _lock:
        if key not in _cache:
            _cache[key] = Contract.load(root)
        return _cache[key]
