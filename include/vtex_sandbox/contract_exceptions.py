"""Where VTEX's own guides contradict its OpenAPI schema, the sandbox follows the guide.

This table is the one place those exceptions are declared; ``docs/sandbox-contract.md`` is
generated from it (``python -m vtex_sandbox.contract_exceptions``) and a test keeps both equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Waiver:
    """A schema violation VTEX's guides show is accepted: ``field`` may end in ``*``."""

    method: str
    path: str
    field: str
    rule: str
    guide: str  # the document that shows the exception (relative to VTEX's guides/specs)
    evidence: str
    when_present: str | None = None  # waive only if the body has this dotted field instead

    def matches(self, method: str, path: str, field: str, rule: str, body: Any) -> bool:
        if (method, path, rule) != (self.method, self.path, self.rule):
            return False
        if self.field.endswith("*"):
            if not field.startswith(self.field[:-1]):
                return False
        elif field != self.field:
            return False
        return self.when_present is None or _has(body, self.when_present)


def _has(body: Any, dotted: str) -> bool:
    node = body
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


EXCEPTIONS: tuple[Waiver, ...] = ()

# Routes the sandbox serves under a path VTEX documents differently: (method, path) -> documented.
SERVED_ALIASES: dict[tuple[str, str], tuple[str, str]] = {}


def is_waived(method: str, path: str, violation: Any, raw_body: bytes) -> bool:
    candidates = [w for w in EXCEPTIONS if w.method == method and w.path == path]
    if not candidates:
        return False
    try:
        body = json.loads(raw_body) if raw_body.strip() else None
    except ValueError:
        body = None
    return any(w.matches(method, path, violation.field, violation.rule, body) for w in candidates)
