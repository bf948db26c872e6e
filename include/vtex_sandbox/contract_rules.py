"""VTEX's documented request rules that its JSON schemas do not express.

They are checked with the schema (``--contract``): refused in ``enforce`` mode, counted in
``report`` mode. Rules that depend on the sandbox's state (SKU activation, locks) live in
the routes themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vtex_sandbox.violations import Violation

# logistics.json, PUT .../inventory/skus/{skuId}/warehouses/{warehouseId}: "The format is
# `dd.hh:mm:ss` (days.hours:minutes:seconds)".
LEAD_TIME = re.compile(r"^\d+\.(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d$")

Rule = Callable[[Any], list[Violation]]


def _lead_time(body: Any) -> list[Violation]:
    value = body.get("leadTime") if isinstance(body, dict) else None
    if value is None or (isinstance(value, str) and LEAD_TIME.match(value)):
        return []
    return [
        Violation(
            "body.leadTime", "documented-format", f"The field 'leadTime' must be dd.hh:mm:ss, got {value!r}"
        )
    ]


def _two_of_three_prices(body: Any) -> list[Violation]:
    # pricing.json, PUT /pricing/prices/{itemId}: sending basePrice, costPrice and markup all
    # at once makes the request fail.
    if isinstance(body, dict) and all(body.get(k) is not None for k in ("basePrice", "costPrice", "markup")):
        message = "Send only two of basePrice, costPrice and markup, not all three"
        return [Violation("body.markup", "at-most-two-of", message)]
    return []


def _inactive_on_create(body: Any) -> list[Violation]:
    # Guide skus.md: "During SKU creation, do not set IsActive as true ... 400 Bad Request".
    if isinstance(body, dict) and body.get("IsActive") is True:
        message = "A SKU is created with IsActive false (use ActivateIfPossible true)"
        return [Violation("body.IsActive", "inactive-on-create", message)]
    return []


RULES: dict[tuple[str, str], tuple[Rule, ...]] = {
    ("PUT", "/api/logistics/pvt/inventory/skus/{skuId}/warehouses/{warehouseId}"): (_lead_time,),
    ("PUT", "/pricing/prices/{itemId}"): (_two_of_three_prices,),
    ("POST", "/api/catalog/pvt/stockkeepingunit"): (_inactive_on_create,),
}


def documented_rules(method: str, template: str, body: Any) -> list[Violation]:
    """Violations of the rules documented for this operation (``body`` already parsed)."""
    return [v for rule in RULES.get((method, template), ()) for v in rule(body)]
