"""Writing ERP drops cell by cell as text, so tests can break any cell, line or byte of them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vtex_sync.erp.schema import table

TextRow = dict[str, str | None]


def render(value: Any) -> str | None:
    """A cell as an ERP export writes it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def as_text(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[TextRow]]:
    return {name: [{col.name: render(row.get(col.name)) for col in table(name).c} for row in rows]
            for name, rows in data.items()}


def csv_bytes(rows: list[TextRow], columns: list[str], *, delimiter: str = ",",
              encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue().encode(encoding)


def write_text_drop(folder: Path, tables: dict[str, list[TextRow]], file_format: str, *,
                    columns: dict[str, list[str]] | None = None,
                    csv_patch: dict[str, Callable[[bytes], bytes]] | None = None,
                    delimiter: str = ",") -> None:
    """Every table as text cells (CSV, or Parquet with string columns); `columns` overrides a
    table's header (drop or add columns); `csv_patch` rewrites a CSV file's bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        names = (columns or {}).get(name) or [col.name for col in table(name).c]
        if file_format == "csv":
            data = csv_bytes(rows, names, delimiter=delimiter)
            patch = (csv_patch or {}).get(name)
            (folder / f"{name}.csv").write_bytes(patch(data) if patch else data)
        else:
            arrays = {c: pa.array([row.get(c) for row in rows], type=pa.string()) for c in names}
            pq.write_table(pa.table(arrays), folder / f"{name}.parquet")


def replace_line(data: bytes, starts_with: bytes, new_line: bytes) -> bytes:
    """`data` with the first line that starts with `starts_with` replaced by `new_line`."""
    lines = data.split(b"\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(starts_with))
    lines[index] = new_line
    return b"\n".join(lines)


@dataclass
class Expect:
    """What a malformed drop must lead to.

    `quarantined`: (table, key, field, raw value, rule) entries that must be open, naming the
    file; `source_error`: words the error of a whole-file problem must contain (file, column).
    """

    quarantined: list[tuple[str, str, str, str | None, str]] = field(default_factory=list)
    source_error: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv", "parquet")
    extra: dict[str, Any] = field(default_factory=dict)
