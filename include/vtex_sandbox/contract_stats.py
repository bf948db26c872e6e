"""Counts of contract-checked requests and their violations, per documented operation."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vtex_sandbox.violations import Violation


class ContractMode(StrEnum):
    ENFORCE = "enforce"  # a violation answers 400
    REPORT = "report"  # violations are only counted


class _Counts:
    def __init__(self) -> None:
        self.validated: Counter[str] = Counter()
        self.invalid: Counter[str] = Counter()
        self.rules: Counter[tuple[str, str, str]] = Counter()
        self.examples: dict[tuple[str, str, str], str] = {}

    def record(self, operation: str, violations: Sequence[Violation]) -> None:
        self.validated[operation] += 1
        if violations:
            self.invalid[operation] += 1
        for v in violations:
            self.rules[(operation, v.field, v.rule)] += 1
            self.examples.setdefault((operation, v.field, v.rule), v.message)

    def snapshot(self) -> dict[str, Any]:
        operations = []
        for op in sorted(self.validated):
            rules = [
                {"field": f, "rule": r, "count": c, "example": self.examples[(o, f, r)]}
                for (o, f, r), c in sorted(self.rules.items())
                if o == op
            ]
            operations.append(
                {
                    "operation": op,
                    "validated": self.validated[op],
                    "violations": self.invalid[op],
                    "rules": rules,
                }
            )
        return {
            "validated": sum(self.validated.values()),
            "violations": sum(self.invalid.values()),
            "by_operation": operations,
        }


class ContractStats:
    """Per ``METHOD /template``: requests checked and requests with at least one violation.

    The top level counts since the last stats reset; ``since_start`` is never reset.
    """

    def __init__(self, mode: ContractMode | None) -> None:
        self.mode = mode
        self._lock = threading.Lock()
        self._current = _Counts()
        self._lifetime = _Counts()

    def record(self, operation: str, violations: Sequence[Violation]) -> None:
        with self._lock:
            self._current.record(operation, violations)
            self._lifetime.record(operation, violations)

    def reset(self) -> None:
        with self._lock:
            self._current = _Counts()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "mode": self.mode.value if self.mode else None,
                **self._current.snapshot(),
                "since_start": self._lifetime.snapshot(),
            }
