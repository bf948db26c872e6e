"""The layers show: the middleware imports without Airflow, and never imports the sandbox or demo."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "include" / "vtex_sync"
# the Airflow glue, and what the launcher and deployment helpers keep outside the core for now
GLUE = ("airflow", "deploy", "local.py", "orders/tasks.py")

BLOCK_AIRFLOW = """
import importlib.abc, sys
class NoAirflow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "airflow" or name.startswith("airflow."):
            raise ImportError(f"{name} is not installed here")
        return None
sys.meta_path.insert(0, NoAirflow())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print("imported", len(sys.argv) - 1)
"""


def _core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith(GLUE) or "migrations" in rel:
            continue
        names.append("vtex_sync." + rel.removesuffix(".py").removesuffix("/__init__").replace("/", "."))
    return names


def test_the_middleware_imports_without_airflow() -> None:
    modules = _core_modules()
    assert "vtex_sync.entities" in modules and "vtex_sync.flows.engine" in modules
    env_path = f"{ROOT / 'include'}:{ROOT / 'plugins'}"
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_AIRFLOW, *modules],
        capture_output=True, text=True, env={"PYTHONPATH": env_path}, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"imported {len(modules)}" in result.stdout


def test_no_middleware_module_imports_the_sandbox_or_the_demo() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "local.py":  # the local launcher, moving out of the package
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(("vtex_sandbox", "vtex_demo"))]
    assert offenders == []
