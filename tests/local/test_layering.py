"""The middleware never imports the demo, the sandbox or the local launcher (they build on it)."""

from __future__ import annotations

import ast
from pathlib import Path

INCLUDE = Path(__file__).resolve().parents[2] / "include"
ABOVE = ("vtex_demo", "vtex_sandbox", "vtex_local")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_middleware_module_imports_demo_sandbox_or_launcher_code():
    offending = {
        str(path.relative_to(INCLUDE)): sorted(n for n in imported(path) if n.split(".")[0] in ABOVE)
        for path in sorted((INCLUDE / "vtex_sync").rglob("*.py"))
    }
    assert {path: names for path, names in offending.items() if names} == {}
