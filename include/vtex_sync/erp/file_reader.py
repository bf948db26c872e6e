"""Read one staging file (CSV or Parquet) row by row, without ever failing on one bad cell.

Each row comes back as a `SourcedRow` (its file and row number in ``origin``); cells that
convert exactly are typed, the others keep their raw text (see `cells.coerce`). A row the file
itself garbles (wrong number of fields, bytes not in the configured encoding) carries a
`RowProblem` for validation to quarantine. What makes the whole file unreadable (a wrong
delimiter, a required column missing, a corrupt Parquet file) raises `ErpSourceError` before
any row is handed out, naming the file.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from vtex_sync.erp.cells import Origin, SourcedRow, coerce, normalise_text
from vtex_sync.erp.csv_blocks import Block, open_block
from vtex_sync.erp.errors import ErpSourceError, MissingColumnError
from vtex_sync.erp.schema import key_columns, required_columns, table

CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
RAW_PREVIEW = 80


@dataclass(frozen=True)
class RowProblem:
    """Why a row could not even be split into its cells."""

    field: str
    value: str | None
    rule: str
    message: str


def problem_of(row: Any) -> RowProblem | None:
    return getattr(row, "problem", None)


def check_options(encoding: str, delimiter: str) -> None:
    """Reject an unknown encoding or a delimiter that is not one character, at configuration time."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ErpSourceError(f"unknown encoding {encoding!r} for the ERP drop files") from None
    if len(delimiter) != 1:
        raise ErpSourceError(f"delimiter must be one character, not {delimiter!r}")


def check_header(source: str, table_name: str, header: Sequence[str]) -> None:
    """Duplicate or missing required columns fail the whole file."""
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise ErpSourceError(f"{source}: column {name!r} appears twice in the header")
        seen.add(name)
    missing = [name for name in required_columns(table_name) if name not in seen]
    if missing:
        raise MissingColumnError(source, missing)


def _typed(table_name: str, values: dict[str, Any]) -> dict[str, Any]:
    columns = table(table_name).c
    row = {name: coerce(value, columns[name].type) if name in columns else value
           for name, value in values.items()}
    for name in key_columns(table_name):  # an empty text key part (text-only spec) stays ""
        if row.get(name) is None:
            row[name] = ""
    return row


def _sourced(table_name: str, values: dict[str, Any], origin: Origin,
             problem: RowProblem | None = None) -> SourcedRow:
    row = SourcedRow.of(_typed(table_name, values), origin, values)
    if problem is not None:
        row.problem = problem  # type: ignore[attr-defined]
    return row


def _escaped(text: str) -> str:
    """Text decoded with ``surrogateescape``, its undecodable bytes shown as ``\\xNN``."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _control_problem(values: dict[str, Any], origin: Origin) -> RowProblem | None:
    """A NUL or other control character (not tab or newline) in a text cell: a damaged export."""
    for name, value in values.items():
        if isinstance(value, str) and CONTROL_RE.search(value):
            return RowProblem(name, repr(value)[1:-1], "control_character",
                              f"{origin}: column {name} holds a control character (shown escaped)")
    return None


class CsvTable:
    """One CSV file of a staging table, read with an explicit encoding and delimiter."""

    def __init__(self, path: Path, table_name: str, *, encoding: str = "utf-8", delimiter: str = ",") -> None:
        self.path, self.table_name = path, table_name
        self.encoding = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
        self.delimiter = delimiter

    def _check_not_utf8(self) -> None:
        """A file that is valid UTF-8 with non-ASCII text, read with a one-byte encoding, would
        turn every accent into mojibake without a single decoding error: refuse it."""
        if codecs.lookup(self.encoding).name in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
            return
        decoder = codecs.getincrementaldecoder("utf-8")()
        non_ascii = False
        with open(self.path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return  # not UTF-8: the configured encoding is plausible
                non_ascii = non_ascii or any(byte > 0x7F for byte in chunk)
        if non_ascii:
            raise ErpSourceError(f"{self.path.name}: the file is UTF-8 text but the ERP connection says "
                                 f"encoding {self.encoding!r}; its accents would be garbled. Set "
                                 "\"encoding\" to 'utf-8' (nothing was read from this file)")

    def _header(self, cells: list[str], raw_line: str) -> list[str]:
        header = [normalise_text(cell) for cell in cells]
        if len(header) == 1:
            others = [d for d in CANDIDATE_DELIMITERS if d != self.delimiter and d in raw_line]
            if others:
                raise ErpSourceError(
                    f"{self.path.name}: the header is one column {raw_line[:RAW_PREVIEW]!r}; the file "
                    f"looks delimited by {others[0]!r}, not {self.delimiter!r}. Set \"delimiter\" in "
                    "the ERP connection's extra (nothing was read from this file)"
                )
        if any(_has_bad_bytes(name) for name in header):
            raise ErpSourceError(f"{self.path.name}: the header is not valid {self.encoding}: "
                                 f"{_escaped(raw_line[:RAW_PREVIEW])!r}; set \"encoding\" in the "
                                 "ERP connection's extra")
        check_header(self.path.name, self.table_name, header)
        return header

    def rows(self, blocks: Sequence[Block] | None = None) -> Iterator[SourcedRow]:
        """Every row of the file, or only those of `blocks` (see `csv_blocks`)."""
        self._check_not_utf8()
        with open(self.path, encoding=self.encoding, errors="surrogateescape", newline="") as handle:
            first = handle.readline()
            if not first.strip():
                return
            header = self._header(next(csv.reader([first], delimiter=self.delimiter)), first.rstrip("\r\n"))
            if blocks is None:
                yield from self._records(csv.reader(handle, delimiter=self.delimiter), header, 1)
                return
        for block in blocks:
            with open_block(self.path, block, self.encoding) as stream:
                reader = csv.reader(stream, delimiter=self.delimiter)
                yield from self._records(reader, header, block.line - 1, limit=block.rows)

    def _records(self, reader: Any, header: list[str], lines_before: int,
                 limit: int | None = None) -> Iterator[SourcedRow]:
        """The rows of `reader` (its line 1 is file line ``lines_before + 1``), at most `limit`
        records (empty lines not counted)."""
        records = 0
        while limit is None or records < limit:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                records += 1
                origin = Origin(self.path.name, reader.line_num + lines_before, "line")
                yield _sourced(self.table_name, {}, origin,
                               RowProblem("<row>", None, "unreadable_row", f"{origin}: {exc}"))
                continue
            if not cells:
                continue
            records += 1
            if not any(cell.strip() for cell in cells):
                continue
            yield self._row(header, cells, Origin(self.path.name, reader.line_num + lines_before, "line"))

    def _row(self, header: list[str], cells: list[str], origin: Origin) -> SourcedRow:
        values = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            keys = {k: values.get(k) for k in key_columns(self.table_name)}
            raw = self.delimiter.join(cells)
            message = (f"{origin}: {len(cells)} fields where the header has {len(header)} (a shifted "
                       "row: an unquoted delimiter inside a value, or a missing field)")
            return _sourced(self.table_name, keys, origin,
                            RowProblem("<row>", _escaped(raw)[:200], "field_count", message))
        bad = next((name for name, cell in values.items() if _has_bad_bytes(cell)), None)
        if bad is not None:
            message = (f"{origin}: column {bad} is not valid {self.encoding} text "
                       f"(bytes shown as \\xNN); fix the file or set \"encoding\"")
            clean = {k: v if not _has_bad_bytes(v) else _escaped(v) for k, v in values.items()}
            return _sourced(self.table_name, clean, origin,
                            RowProblem(bad, _escaped(values[bad]), "bad_encoding", message))
        return _sourced(self.table_name, values, origin, _control_problem(values, origin))


class ParquetTable:
    """One Parquet file of a staging table."""

    def __init__(self, path: Path, table_name: str) -> None:
        self.path, self.table_name = path, table_name

    def _file(self) -> pq.ParquetFile:
        try:
            return pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as exc:
            raise ErpSourceError(f"{self.path.name}: not a readable Parquet file ({exc})") from None

    def num_rows(self) -> int:
        return int(self._file().metadata.num_rows)

    def row_groups(self, column: str, low: str | None, high: str | None) -> list[int] | None:
        """The row groups whose statistics for `column` overlap ``[low, high)`` (None: all)."""
        parquet = self._file()
        names = parquet.schema_arrow.names
        if column not in names:
            return None
        index = names.index(column)
        groups = []
        for group in range(parquet.metadata.num_row_groups):
            stats = parquet.metadata.row_group(group).column(index).statistics
            if stats is None or not stats.has_min_max:
                groups.append(group)
            elif (high is None or str(stats.min) < high) and (low is None or str(stats.max) >= low):
                groups.append(group)
        return groups

    def rows(self, batch_size: int = 1000, row_groups: list[int] | None = None) -> Iterator[SourcedRow]:
        parquet = self._file()
        header = [normalise_text(name) for name in parquet.schema_arrow.names]
        check_header(self.path.name, self.table_name, header)
        number = 0
        for batch in parquet.iter_batches(batch_size=batch_size, row_groups=row_groups):
            for record in batch.to_pylist():
                number += 1
                values = {normalise_text(k): v for k, v in record.items()}
                origin = Origin(self.path.name, number, "row")
                yield _sourced(self.table_name, values, origin, _control_problem(values, origin))
