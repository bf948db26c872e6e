"""Where VTEX's own guides or examples contradict its OpenAPI schema, the sandbox follows them.

``EXCEPTIONS`` is the one place those exceptions are declared, each with its evidence;
``docs/sandbox-contract.md`` shows the same table (``python -m vtex_sandbox.contract_exceptions``
prints it) and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

_MISSING = object()


class When(StrEnum):
    ALWAYS = "always"
    NULL = "the value is null"
    WHOLE_NUMBER = "the value is a whole number written as a decimal (15.0)"
    LOWERCASE_GIVEN = "the camelCase spelling is sent instead"
    GUIDE_VALUE = "the value is one the guide shows"


@dataclass(frozen=True)
class Waiver:
    """A violation of ``rule`` on ``field`` (globs separated by ``|``) that VTEX's guides accept."""

    method: str
    path: str
    field: str
    rule: str
    when: When
    evidence: str
    values: tuple[Any, ...] = ()  # for When.GUIDE_VALUE

    def matches(self, field: str, rule: str, body: Any) -> bool:
        if rule != self.rule or not any(fnmatchcase(field, glob) for glob in self.field.split("|")):
            return False
        if self.when is When.ALWAYS:
            return True
        if self.when is When.NULL:
            return _value(body, field) is None
        if self.when is When.GUIDE_VALUE:
            return _value(body, field) in self.values
        if self.when is When.WHOLE_NUMBER:
            value = _value(body, field)
            return isinstance(value, float) and value.is_integer()
        head, _, name = field.rpartition(".")
        return _value(body, f"{head}.{name[:1].lower()}{name[1:]}") is not _MISSING


def _value(body: Any, field: str) -> Any:
    node = body
    for part in field.split(".")[1:]:  # the first part is "body"
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


_SKU_NULLABLE = "|".join(
    f"body.{name}" for name in ("Height", "Length", "Width", "WeightKg", "RewardValue", "CreationDate")
)

EXCEPTIONS: tuple[Waiver, ...] = (
    Waiver(
        "POST",
        "/api/orders/feed/config",
        "body.queue.MessageRetentionPeriodInSeconds",
        "required",
        When.LOWERCASE_GIVEN,
        "Guide orders-feed.md, section `queue`: the example and the min/max note spell "
        "`messageRetentionPeriodInSeconds`; so do its two complete configuration examples.",
    ),
    Waiver(
        "POST",
        "/api/orders/feed/config",
        "body.filter",
        "required",
        When.ALWAYS,
        'Guide orders-feed.md, section `filter`: "If the `filter` is not configured, the '
        '`FromWorkflow` type is used, and all status changes will appear in the feed."',
    ),
    Waiver(
        "POST",
        "/api/catalog/pvt/stockkeepingunit",
        _SKU_NULLABLE,
        "type",
        When.NULL,
        'Guide skus.md, "Request body example (custom ID)", and managing-skus.md\'s create '
        "body send `Height`, `Length`, `Width`, `WeightKg`, `RewardValue`, `CreationDate` as null.",
    ),
    Waiver(
        "PUT",
        "/api/catalog/pvt/stockkeepingunit/{skuId}",
        _SKU_NULLABLE,
        "type",
        When.NULL,
        "Guide managing-skus.md, update body: `Height`, `Length`, `Width`, `WeightKg`, `RewardValue` null.",
    ),
    Waiver(
        "PUT",
        "/api/catalog/pvt/stockkeepingunit/{skuId}",
        "body.ManufacturerCode",
        "type",
        When.NULL,
        'Guide managing-skus.md, update body: `"ManufacturerCode": null`.',
    ),
    Waiver(
        "PUT",
        "/api/catalog/pvt/stockkeepingunit/{skuId}",
        "body.PackagedWeightKg",
        "type",
        When.WHOLE_NUMBER,
        'Guides skus.md ("Updating an SKU") and managing-skus.md, update bodies: '
        '`"PackagedWeightKg": 15.0` (schema: integer).',
    ),
    Waiver(
        "PATCH",
        "/api/order-system/orders/{changeOrderId}/changes",
        "body.replace.*.clientProfileData.*",
        "type",
        When.NULL,
        "orders.json's own request example for this operation sends `corporateName`, "
        "`corporateDocument`, `corporatePhone`, `stateInscription`, `tradeName` as null.",
    ),
    Waiver(
        "POST",
        "/api/order-system/orders/{changeOrderId}/changes/preview",
        "body.replace.*.clientProfileData.*",
        "type",
        When.NULL,
        "orders.json's own request example for this operation (same nulls as the change itself).",
    ),
    Waiver(
        "POST",
        "/api/catalog/pvt/specificationgroup",
        "body.CategoryId",
        "required",
        When.ALWAYS,
        "VTEX has groups of the root category, for all categories, with no `CategoryId`: known issue "
        "\"Ordering of specification groups from the root category does not work\"; catalog.json's "
        "`groupGet` and `groupbycategory` answers document `CategoryId` as nullable.",
    ),
    Waiver(
        "PUT",
        "/api/catalog/pvt/specificationgroup/{groupId}",
        "body.CategoryId",
        "required",
        When.ALWAYS,
        "The same root-category group, updated (see the create above).",
    ),
)

EXCEPTIONS += (
    Waiver(
        "POST", "/api/dataentities/AD/documents", "body.addressType", "enum", When.GUIDE_VALUE,
        "Guide import-customer-data.md, \"Creating new address request example\": "
        "`\"addressType\": \"residential\"` (masterdata-v1.json's enum: commercial, invoice).",
        values=("residential",),
    ),
)  # fmt: skip

_INVENTORY = "/api/logistics/pvt/inventory/skus/{skuId}/warehouses/{warehouseId}"
_DEFAULTS = {"quantity": "`0`", "unlimitedQuantity": "`false`", "leadTime": "`0`"}
EXCEPTIONS += tuple(
    Waiver(
        "PUT", _INVENTORY, f"body.{name}", "required", When.ALWAYS,
        f"logistics.json, this operation's own description of `{name}`: not sending it sets it to "
        f"{default} (yet its schema lists it as required).",
    )
    for name, default in _DEFAULTS.items()
)  # fmt: skip

_BY_OPERATION: dict[tuple[str, str], list[Waiver]] = {}
for _waiver in EXCEPTIONS:
    _BY_OPERATION.setdefault((_waiver.method, _waiver.path), []).append(_waiver)


@dataclass(frozen=True)
class Alias:
    """A route the sandbox also serves because a guide names it so: checked as ``documented``."""

    method: str
    path: str
    documented: str
    evidence: str


ALIASES: tuple[Alias, ...] = (
    Alias(
        "POST", "/availability/v1/inventory/batch/{batchId}/commit",
        "/availability/v1/inventory/batch/{batchId}/confirm",
        "Guide batch-inventory-updates.md (\"Confirm the batch\") and the 2026-05-19 release note link "
        "the confirm operation as `.../batch/{batchId}/commit`; logistics.json names it `/confirm`.",
    ),
)  # fmt: skip


def is_waived(method: str, path: str, violation: Any, body: Any) -> bool:
    """True when a declared exception covers ``violation`` (``body`` already parsed)."""
    return any(
        w.matches(violation.field, violation.rule, body) for w in _BY_OPERATION.get((method, path), ())
    )


def markdown_table() -> str:
    """The exceptions as the Markdown table of ``docs/sandbox-contract.md``."""
    rows = ["| # | operation | field | rule waived | when | evidence |", "|---|---|---|---|---|---|"]
    for n, w in enumerate(EXCEPTIONS, 1):
        fields = " or ".join(f"`{f}`" for f in w.field.split("|"))
        when = w.when.value + (f" ({', '.join(map(str, w.values))})" if w.values else "")
        rows.append(f"| {n} | `{w.method} {w.path}` | {fields} | {w.rule} | {when} | {w.evidence} |")
    rows += [
        "",
        "Routes also served under a guide's name (checked as the documented operation):",
        "",
        "| method | served path | documented path | evidence |",
        "|---|---|---|---|",
    ]
    rows += [f"| {a.method} | `{a.path}` | `{a.documented}` | {a.evidence} |" for a in ALIASES]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
