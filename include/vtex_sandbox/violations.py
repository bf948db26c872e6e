"""One broken contract rule, as the sandbox reports it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``field`` is a dotted path (``body.fixedPrices.0.value``, ``query.maxlot``)."""

    field: str
    rule: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}
