"""Cells as the ERP wrote them: text normalisation and a conversion that never raises.

A reader hands every cell to `coerce`: a value that converts exactly becomes the staging
column's Python type; anything else (``12,50`` for a price, ``maybe`` for a boolean, ``1.5``
for an integer, ``yesterday`` for a time) stays as the raw text, so row validation quarantines
that one row naming the raw value, and no step fails on it. Nothing is rounded or truncated.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Boolean, Integer, Numeric

from vtex_sync.db import UtcDateTime, to_utc

TRUE_WORDS = frozenset({"true", "t", "1", "yes", "y"})
FALSE_WORDS = frozenset({"false", "f", "0", "no", "n"})
# zero-width space/joiners, word joiner, BOM, soft hyphen: invisible, never meant
INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# every Unicode space separator (NBSP, narrow NBSP, figure space...) and tab becomes a plain space
ODD_SPACE_RE = re.compile(r"[^\S\r\n]")


def normalise_text(value: Any) -> Any:
    """NFC, invisible characters removed, odd spaces made plain, ends stripped (strings only)."""
    if not isinstance(value, str):
        return value
    text = INVISIBLE_RE.sub("", unicodedata.normalize("NFC", value))
    return ODD_SPACE_RE.sub(" ", text).strip()


def is_missing(value: Any) -> bool:
    """None, an empty or blank string, NaN or NaT."""
    if value is None:
        return True
    if isinstance(value, str):
        return normalise_text(value) == ""
    if isinstance(value, float):
        return value != value
    return type(value).__name__ in ("NaTType", "NAType")


@dataclass(frozen=True)
class Origin:
    """Where a row came from: the file or table, and its row number (CSV: its line in the file)."""

    source: str
    row: int
    unit: str = "row"

    def __str__(self) -> str:
        return f"{self.source} {self.unit} {self.row}"


class SourcedRow(dict[str, Any]):
    """A row (a plain dict to every reader of it) that remembers its `origin` and the `raw`
    cells it was converted from (what a quarantine entry shows)."""

    origin: Origin | None = None
    raw: dict[str, Any] | None = None

    @classmethod
    def of(cls, values: dict[str, Any], origin: Origin, raw: dict[str, Any] | None = None) -> SourcedRow:
        row = cls(values)
        row.origin, row.raw = origin, raw
        return row


def origin_of(row: Any) -> Origin | None:
    return getattr(row, "origin", None)


def raw_value(row: Any, name: str) -> Any:
    """The cell as the source held it (before conversion), else the row's value."""
    raw = getattr(row, "raw", None)
    if raw is not None and name in raw:
        return raw[name]
    return row.get(name) if hasattr(row, "get") else None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(normalise_text(str(value)))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return to_utc(value)
    if hasattr(value, "to_pydatetime"):  # pandas / pyarrow timestamps
        return to_utc(value.to_pydatetime())
    if isinstance(value, date):
        return to_utc(datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        try:
            return to_utc(datetime.fromisoformat(normalise_text(value)))
        except ValueError:
            return None
    return None


def coerce(value: Any, column_type: Any) -> Any:
    """`value` as the column's Python type when it converts exactly; else the raw value unchanged."""
    if is_missing(value):
        return None
    if isinstance(column_type, Boolean):
        if isinstance(value, bool):
            return value
        word = normalise_text(str(value)).lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        return value
    if isinstance(column_type, Integer):
        number = _decimal(value)
        if number is None or number != number.to_integral_value():
            return value
        return int(number)
    if isinstance(column_type, Numeric):
        number = _decimal(value)
        return value if number is None else number
    if isinstance(column_type, UtcDateTime):
        stamp = _datetime(value)
        return value if stamp is None else stamp
    return value if isinstance(value, str) else str(value)
