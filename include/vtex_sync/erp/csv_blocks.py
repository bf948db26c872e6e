"""Blocks of a CSV staging file, so a batch reads only the part of the file its key range needs.

A CSV file has no row groups: this gives it some. One pass over the file's bytes finds where
each record starts (a record ends at a line break outside quotes) and cuts the file into blocks
of `BLOCK_ROWS` records (small: a batch of 200 rows parses about 10% more than its rows), each
with its byte offset, first line and the lowest and highest value of the table's first key
column. A read of a key range parses only the blocks whose values overlap it: a file sorted (or
grouped) by its first key column is parsed about once, whatever the number of batches; an
unsorted one costs what a whole read costs.

The blocks are kept beside the file (``.blocks/<table>.json`` in the drop folder, keyed by the
file's size and modification time, so a new export is cut again), or in memory when the folder
is read-only. A file whose quotes do not balance is not cut (it is read whole).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vtex_sync.erp.cells import normalise_text

log = logging.getLogger(__name__)

BLOCK_ROWS = 20  # a batch parses at most about one block past its slice at each end
FOLDER = ".blocks"
_memory: dict[tuple[str, int, int], list[Block]] = {}


@dataclass(frozen=True)
class Block:
    offset: int  # byte offset of its first record
    line: int  # the file line its first record starts on (the header is line 1)
    rows: int
    low: str  # lowest and highest first-key value among its records
    high: str

    def overlaps(self, low: str | None, high: str | None) -> bool:
        return (high is None or self.low < high) and (low is None or self.high >= low)


def key_of(cell: str | None) -> str:
    """The first-key value a reader compares for this cell (blank: "")."""
    return "" if cell is None or normalise_text(cell) == "" else cell.strip()


def blocks(path: Path, table: str, column: str, *, encoding: str, delimiter: str) -> list[Block] | None:
    """The file's blocks, cut once per file version (None: it cannot be cut; read it whole)."""
    stat = path.stat()
    version = (str(path), stat.st_size, stat.st_mtime_ns)
    if version in _memory:
        return _memory[version]
    kept = _load(path, table, stat.st_size, stat.st_mtime_ns)
    if kept is None:
        kept = _cut(path, column, encoding=encoding, delimiter=delimiter)
        if kept is not None:
            _store(path, table, stat.st_size, stat.st_mtime_ns, kept)
    if kept is not None:
        _memory[version] = kept
    return kept


def _cut(path: Path, column: str, *, encoding: str, delimiter: str) -> list[Block] | None:
    decode = codecs.getdecoder("utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding)
    found: list[Block] = []
    with open(path, "rb") as handle:
        header_bytes = handle.readline()
        header_text = decode(header_bytes, "surrogateescape")[0]
        header = [normalise_text(c) for c in next(csv.reader([header_text], delimiter=delimiter), [])]
        if column not in header:
            return None
        index = header.index(column)
        offset, line = len(header_bytes), 2
        start = start_line = None
        rows, low, high = 0, "", ""
        record, quotes = b"", 0
        for raw in handle:
            if not record:
                record_offset, record_line = offset, line
            record += raw
            quotes += raw.count(b'"')
            offset += len(raw)
            line += 1
            if quotes % 2:
                continue  # a line break inside quotes: the record goes on
            text = decode(record, "surrogateescape")[0]
            record, quotes = b"", 0
            try:
                cells = next(csv.reader([text], delimiter=delimiter), [])
            except csv.Error:
                cells = [""]  # the reader reports it as an unreadable row: a record all the same
            if not cells:
                continue  # an empty line: the reader skips it too
            key = key_of(cells[index] if index < len(cells) else None)
            if start is None:
                start, start_line, rows, low, high = record_offset, record_line, 0, key, key
            rows, low, high = rows + 1, min(low, key), max(high, key)
            if rows == BLOCK_ROWS:
                found.append(Block(start, start_line or 2, rows, low, high))
                start = None
        if record:
            log.info("%s: its quotes do not balance: read whole, not in blocks", path.name)
            return None
        if start is not None:
            found.append(Block(start, start_line or 2, rows, low, high))
    return found


def _place(path: Path, table: str) -> Path:
    return path.parent / FOLDER / f"{table}.json"


def _load(path: Path, table: str, size: int, mtime_ns: int) -> list[Block] | None:
    try:
        kept = json.loads(_place(path, table).read_text())
    except (OSError, ValueError):
        return None
    if kept.get("size") != size or kept.get("mtime_ns") != mtime_ns:
        return None
    return [Block(*entry) for entry in kept["blocks"]]


def _store(path: Path, table: str, size: int, mtime_ns: int, found: list[Block]) -> None:
    place = _place(path, table)
    body = {"size": size, "mtime_ns": mtime_ns,
            "blocks": [[b.offset, b.line, b.rows, b.low, b.high] for b in found]}
    try:
        place.parent.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=place.parent, delete=False, suffix=".tmp") as out:
            json.dump(body, out)
        os.replace(out.name, place)
    except OSError as error:  # a read-only drop folder: the blocks stay in this process's memory
        log.info("%s: blocks not kept beside the file (%s)", path.name, error)


def open_block(path: Path, block: Block, encoding: str) -> io.TextIOWrapper:
    """A text stream of the file from the block's first record (the caller reads `block.rows`)."""
    raw = open(path, "rb")  # noqa: SIM115 - the wrapper owns and closes it
    raw.seek(block.offset)
    name = codecs.lookup(encoding).name
    return io.TextIOWrapper(raw, encoding="utf-8" if name == "utf-8" else encoding,
                            errors="surrogateescape", newline="")
