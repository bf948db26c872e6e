"""Row and batch validation of inbound ERP data.

An invalid row becomes a `QuarantineEntry` and the other rows go on. Batch rules: duplicate
key within the batch and unknown parent (checked against keys the caller supplies; for
categories, the tree: unknown parent codes and cycles). The sync flows check the category tree
once themselves, against the id map (`check_category_tree`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from vtex_sync.entities import validation_parents
from vtex_sync.erp.models import MODELS, Category, ErpRow
from vtex_sync.erp.schema import key_columns

# table -> {column: parent table}: the references a batch can be checked against (entity catalogue)
PARENTS: dict[str, dict[str, str]] = validation_parents()

MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class QuarantineEntry:
    """Why one row was set aside: the table, its key, and the field/value/rule that failed."""

    table: str
    key: str
    field: str
    value: str | None
    rule: str
    message: str


@dataclass
class ValidationResult:
    valid: list[Any] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)


def row_key(table: str, row: Mapping[str, Any] | ErpRow) -> str:
    """The row's primary key as one string ('|' between the parts of a composite key)."""
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name, None)
    parts = [get(col) for col in key_columns(table)]
    return "|".join("" if part is None else str(part).strip() for part in parts)


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "..."


def _rule_of(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing_field"
    if kind.startswith("string_too_long"):
        return "too_long"
    if kind == "value_error":
        message = error.get("msg", "").lower()
        for needle, rule in (("ean", "bad_ean"), ("negative", "negative"), ("decimal", "decimal_scale"),
                             ("url", "bad_url"), (".jpg", "bad_url"), ("hh:mm:ss", "bad_lead_time"),
                             ("trade policy", "bad_trade_policies")):
            if needle in message:
                return rule
    if kind in ("greater_than_equal", "greater_than"):
        try:
            return "negative" if Decimal(str(error.get("input"))) < 0 else "out_of_range"
        except ArithmeticError:
            return "out_of_range"
    return kind


def _entry_from_error(table: str, key: str, row: Mapping[str, Any], exc: ValidationError) -> QuarantineEntry:
    errors = exc.errors(include_url=False)
    first = errors[0]
    field_name = ".".join(str(part) for part in first["loc"]) or "<row>"
    message = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
    return QuarantineEntry(table, key, field_name, _short(row.get(field_name)), _rule_of(first), message)


def validate_rows(
    table: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    known: Mapping[str, Iterable[str]] | None = None,
) -> ValidationResult:
    """Validate `rows` of `table` into its pydantic model; bad rows go to quarantine.

    `known` maps a parent table to the keys that exist (in the ERP data or already in VTEX);
    references to a parent table listed there are checked (an empty reference needs no parent).
    With ``known["categories"]``, categories are checked as a tree (unknown parent, cycle) and
    returned parents first.
    """
    model = MODELS[table]
    result = ValidationResult()
    rows = list(rows)
    counts = Counter(row_key(table, row) for row in rows)
    parents = {
        column: set(known[parent]) for column, parent in PARENTS.get(table, {}).items()
        if known and parent in known and not (table == "categories" and column == "parent_code")
    }
    for row in rows:
        key = row_key(table, row)
        if counts[key] > 1:
            result.quarantined.append(QuarantineEntry(
                table, key, ",".join(key_columns(table)), _short(key), "duplicate_key",
                f"key {key!r} appears {counts[key]} times in the batch",
            ))
            continue
        try:
            item = model.model_validate(row)
        except ValidationError as exc:
            result.quarantined.append(_entry_from_error(table, key, row, exc))
            continue
        missing = next(((col, getattr(item, col)) for col, keys in parents.items()
                        if getattr(item, col) and getattr(item, col) not in keys), None)
        if missing:
            column, value = missing
            result.quarantined.append(QuarantineEntry(
                table, key, column, _short(value), "unknown_parent",
                f"{column} {value!r} does not exist in {PARENTS[table][column]}",
            ))
            continue
        result.valid.append(item)
    if table == "categories" and known and "categories" in known:
        result.valid, tree_problems = check_category_tree(result.valid, known_codes=known["categories"])
        result.quarantined.extend(tree_problems)
    return result


def check_category_tree(
    valid_categories: Iterable[Category], *, known_codes: Iterable[str] = ()
) -> tuple[list[Category], list[QuarantineEntry]]:
    """Order categories parents first; quarantine unknown parents, cycles and their descendants.

    A parent is known when it is in the batch or in `known_codes` (e.g. already bound in VTEX).
    """
    by_code = {cat.code: cat for cat in valid_categories}
    external = set(known_codes) - set(by_code)
    depth: dict[str, int] = {}
    problems: dict[str, QuarantineEntry] = {}

    def entry(cat: Category, rule: str, message: str) -> QuarantineEntry:
        return QuarantineEntry("categories", cat.code, "parent_code", cat.parent_code, rule, message)

    for start in by_code:
        path: list[str] = []
        on_path: set[str] = set()
        code: str | None = start
        outcome: tuple[str, str] | None = None  # (rule, message) for the whole path, None when fine
        base_depth = 0
        while True:
            if code is None or code in external:
                break
            if code in depth:
                base_depth = depth[code] + 1
                break
            if code in problems:
                outcome = (problems[code].rule, f"an ancestor ({code}) is quarantined")
                break
            if code in on_path:
                cycle = path[path.index(code):]
                for member in cycle:
                    problems[member] = entry(by_code[member], "category_cycle",
                                             "category tree cycle: " + " -> ".join(cycle + [code]))
                outcome = ("category_cycle", f"an ancestor is in the cycle through {code}")
                break
            if code not in by_code:
                last = by_code[path[-1]]
                problems[last.code] = entry(last, "unknown_parent",
                                            f"parent {code!r} is not a known category")
                outcome = ("unknown_parent", f"an ancestor's parent {code!r} is not a known category")
                break
            path.append(code)
            on_path.add(code)
            code = by_code[code].parent_code
        for offset, member in enumerate(reversed(path)):
            if member in problems:
                continue
            if outcome:
                problems[member] = entry(by_code[member], outcome[0], outcome[1])
            else:
                depth[member] = base_depth + offset
    ordered = sorted((cat for cat in by_code.values() if cat.code in depth), key=lambda c: depth[c.code])
    return ordered, list(problems.values())
