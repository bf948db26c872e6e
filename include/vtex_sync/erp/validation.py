"""Row and batch validation of inbound ERP data.

An invalid row becomes a `QuarantineEntry` (file or table, row number, column, raw value,
rule) and the other rows go on. Batch rules: duplicate keys and key twins (keys equal only
after normalising spaces and invisible characters) within the batch and unknown parent (checked
against keys the caller supplies; for categories, the tree: unknown parent codes and cycles).
The sync flows check the category tree once themselves, against the id map
(`check_category_tree`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from vtex_sync.entities import held_fields, validation_parents
from vtex_sync.erp.cells import normalise_text, origin_of, raw_value
from vtex_sync.erp.models import MODELS, Category, ErpRow
from vtex_sync.erp.schema import key_columns

# table -> {column: parent table}: the references a batch can be checked against (entity catalogue)
PARENTS: dict[str, dict[str, str]] = validation_parents()
# table -> {column: derived entity}: a bad value there holds back only that record (entity catalogue)
HELD: dict[str, dict[str, str]] = held_fields()

MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class QuarantineEntry:
    """Why one row was set aside: the table, its key, the field/raw value/rule that failed and
    where the row came from (`source` file or table, `row` number), when the reader knows."""

    table: str
    key: str
    field: str
    value: str | None
    rule: str
    message: str
    source: str | None = None
    row: int | None = None
    # the derived records held back while the rest of the row goes on (None: the whole row is held)
    held_back: str | None = None


@dataclass
class ValidationResult:
    valid: list[Any] = field(default_factory=list)
    quarantined: list[QuarantineEntry] = field(default_factory=list)


def row_key(table: str, row: Mapping[str, Any] | ErpRow) -> str:
    """The row's primary key as one string ('|' between the parts of a composite key)."""
    return "|".join("" if part is None else normalise_text(str(part)) for part in _key_parts(table, row))


def raw_key(table: str, row: Mapping[str, Any] | ErpRow) -> str:
    """The key exactly as the ERP wrote it (spaces and invisible characters kept)."""
    return "|".join("" if part is None else str(part) for part in _key_parts(table, row))


def _key_parts(table: str, row: Mapping[str, Any] | ErpRow) -> list[Any]:
    get = row.get if isinstance(row, Mapping) else lambda name: getattr(row, name, None)
    return [get(col) for col in key_columns(table)]


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "..."


PARSE_RULES = {
    "bool_parsing": "not_a_boolean", "bool_type": "not_a_boolean",
    "int_parsing": "not_an_integer", "int_from_float": "fractional", "int_type": "not_an_integer",
    "decimal_parsing": "not_a_number", "decimal_type": "not_a_number", "finite_number": "not_a_number",
    "datetime_parsing": "not_a_datetime", "datetime_from_date_parsing": "not_a_datetime",
    "datetime_type": "not_a_datetime",
    "less_than_equal": "out_of_range", "less_than": "out_of_range",
}


def _rule_of(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing_field"
    if error.get("input", "") is None and kind.endswith("_type"):
        return "missing_value"
    if kind.startswith("string_too_long"):
        return "too_long"
    if kind == "value_error":
        message = error.get("msg", "").lower()
        for needle, rule in (("ean", "bad_ean"), ("negative", "negative"), ("decimal", "decimal_scale"),
                             ("too large", "out_of_range"),
                             ("url", "bad_url"), (".jpg", "bad_url"), ("hh:mm:ss", "bad_lead_time"),
                             ("trade policy", "bad_trade_policies")):
            if needle in message:
                return rule
    if kind in ("greater_than_equal", "greater_than"):
        try:
            return "negative" if Decimal(str(error.get("input"))) < 0 else "out_of_range"
        except ArithmeticError:
            return "out_of_range"
    if kind == "int_parsing" and _is_number(error.get("input")):
        return "fractional"
    return PARSE_RULES.get(kind, kind)


def _is_number(value: Any) -> bool:
    try:
        return Decimal(str(value).strip()).is_finite()
    except ArithmeticError:
        return False


def _entry(table: str, key: str, row: Any, field_name: str, value: Any, rule: str,
           message: str) -> QuarantineEntry:
    origin = origin_of(row)
    where = f"{origin}: " if origin else ""
    return QuarantineEntry(table, key, field_name, _short(value), rule, where + message,
                           origin.source if origin else None, origin.row if origin else None)


def _entry_from_error(table: str, key: str, row: Mapping[str, Any], exc: ValidationError) -> QuarantineEntry:
    errors = exc.errors(include_url=False)
    first = errors[0]
    field_name = ".".join(str(part) for part in first["loc"]) or "<row>"
    def describe(error: Mapping[str, Any]) -> str:
        name = ".".join(str(p) for p in error["loc"])
        return f"{name} = {_short(raw_value(row, name))!r}: {error['msg']}"

    message = "; ".join(describe(e) for e in errors)
    return _entry(table, key, row, field_name, raw_value(row, field_name), _rule_of(first), message)


def _hold_back(
    table: str, key: str, row: Mapping[str, Any], model: type[ErpRow], exc: ValidationError
) -> tuple[ErpRow, QuarantineEntry] | None:
    """When only columns that feed derived records are bad (a SKU's EAN), the row without them,
    marked as holding them back, and the entry naming what is held back; else None."""
    columns = HELD.get(table, {})
    bad = {str(error["loc"][0]) for error in exc.errors(include_url=False) if error["loc"]}
    if not bad or not bad <= columns.keys():
        return None
    try:
        item = model.model_validate({name: value for name, value in row.items() if name not in bad})
    except ValidationError:
        return None
    held = ", ".join(sorted({columns[column] for column in bad}))
    entry = _entry_from_error(table, key, row, exc)
    message = f"{entry.message}; only {held} is held back, the rest of the row is written"
    return item.holding(frozenset(bad)), replace(entry, message=message, held_back=held)


def _ambiguous(table: str, rows: list[Mapping[str, Any]]) -> dict[int, QuarantineEntry]:
    """Rows whose key another row shares: exact repeats (`duplicate_key`) and twins that differ
    only by spaces or invisible characters (`key_twin`, raw key shown). When exactly one row
    writes the key cleanly, only its twins are held back; the clean row goes on."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[row_key(table, row)].append(index)
    held: dict[int, QuarantineEntry] = {}
    columns = ",".join(key_columns(table))
    for key, members in groups.items():
        if len(members) == 1:
            continue
        raws = [raw_key(table, rows[i]) for i in members]
        clean = [i for i, raw in zip(members, raws, strict=True) if raw == key]
        for index, raw in zip(members, raws, strict=True):
            if len(clean) == 1 and index == clean[0]:
                continue
            others = ", ".join(repr(r) for i, r in zip(members, raws, strict=True) if i != index)
            if raw == key and len(clean) > 1:
                rule, message = "duplicate_key", f"key {key!r} appears {len(clean)} times in the batch"
            else:
                rule, message = "key_twin", (f"raw key {raw!r} differs from {others} only by spaces or "
                                             "invisible characters")
            shown = key if rule == "duplicate_key" else raw  # a twin is filed under its raw key
            held[index] = _entry(table, shown or "<empty key>", rows[index], columns, repr(raw),
                                 rule, message)
    return held


def validate_rows(
    table: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    known: Mapping[str, Iterable[str]] | None = None,
) -> ValidationResult:
    """Validate `rows` of `table` into its pydantic model; bad rows go to quarantine.

    A row whose only bad values are in columns that feed derived records (`HELD`: a SKU's EAN,
    a product's trade policies) is valid without them: the entry names what is held back
    (`held_back`) and the row's `held` names the columns.

    `known` maps a parent table to the keys that exist (in the ERP data or already in VTEX);
    references to a parent table listed there are checked (an empty reference needs no parent).
    With ``known["categories"]``, categories are checked as a tree (unknown parent, cycle) and
    returned parents first. A row its reader could not split (see `file_reader.RowProblem`) is
    quarantined as the reader found it.
    """
    model = MODELS[table]
    result = ValidationResult()
    rows = list(rows)
    held = _ambiguous(table, rows)
    parents = {
        column: set(known[parent]) for column, parent in PARENTS.get(table, {}).items()
        if known and parent in known and not (table == "categories" and column == "parent_code")
    }
    for index, row in enumerate(rows):
        key = row_key(table, row)
        problem = getattr(row, "problem", None)
        if problem is not None:
            result.quarantined.append(QuarantineEntry(
                table, key or f"<{origin_of(row)}>", problem.field, _short(problem.value), problem.rule,
                problem.message, *_where(row)))
            continue
        if index in held:
            result.quarantined.append(held[index])
            continue
        held_back: QuarantineEntry | None = None
        try:
            item = model.model_validate(row)
        except ValidationError as exc:
            degraded = _hold_back(table, key, row, model, exc)
            if degraded is None:
                result.quarantined.append(_entry_from_error(table, key, row, exc))
                continue
            item, held_back = degraded
        missing = next(((col, getattr(item, col)) for col, keys in parents.items()
                        if getattr(item, col) and getattr(item, col) not in keys), None)
        if missing:
            column, value = missing
            result.quarantined.append(_entry(
                table, key, row, column, value, "unknown_parent",
                f"{column} {value!r} does not exist in {PARENTS[table][column]} (neither in the ERP nor "
                "in VTEX): the row is held here, not left waiting, until that parent exists",
            ))
            continue
        if held_back is not None:
            result.quarantined.append(held_back)
        result.valid.append(item)
    if table == "categories" and known and "categories" in known:
        result.valid, tree_problems = check_category_tree(result.valid, known_codes=known["categories"])
        result.quarantined.extend(tree_problems)
    return result


def _where(row: Any) -> tuple[str | None, int | None]:
    origin = origin_of(row)
    return (origin.source, origin.row) if origin else (None, None)


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
