"""Build the ERP adapter from an Airflow connection or from a URL/path."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from vtex_sync.db import url_with_password
from vtex_sync.erp.files import FileErp, FileFormat
from vtex_sync.erp.sql import SqlErp

FILE_SUFFIXES = {".csv": "csv", ".parquet": "parquet"}


def erp_from_url(url_or_path: str | Path, *, file_format: str | None = None) -> SqlErp | FileErp:
    """A `SqlErp` for a SQLAlchemy URL (``sqlite:///...``, ``postgresql://...``), else a `FileErp`.

    A folder path gives a `FileErp`; its format is `file_format`, or whatever the folder holds
    (Parquet if it has ``*.parquet`` files), or CSV.
    """
    text = str(url_or_path)
    if "://" in text:
        return SqlErp(text)
    folder = Path(text)
    if file_format is None:
        file_format = "parquet" if any(folder.glob("*.parquet")) else "csv"
    return FileErp(folder, format=cast(FileFormat, file_format))  # FileErp refuses other formats


def erp_from_extra(extra: dict[str, Any], password: str | None = None) -> SqlErp | FileErp:
    """The adapter described by a connection's extra: ``{"adapter": "sql", "url": ...}`` or
    ``{"adapter": "files", "path": ..., "format": "csv", "encoding": "utf-8", "delimiter": ","}``
    (`encoding` and `delimiter` apply to CSV drops; those are their defaults)."""
    adapter = extra.get("adapter", "sql")
    if adapter == "sql":
        if not extra.get("url"):
            raise ValueError("an ERP connection with adapter 'sql' needs 'url' in its extra")
        return SqlErp(url_with_password(extra["url"], password))
    if adapter == "files":
        if not extra.get("path"):
            raise ValueError("an ERP connection with adapter 'files' needs 'path' in its extra")
        return FileErp(extra["path"], format=extra.get("format", "csv"),
                       encoding=extra.get("encoding", "utf-8"), delimiter=extra.get("delimiter", ","))
    raise ValueError(f"unknown ERP adapter {adapter!r}; expected 'sql' or 'files'")


def erp_from_connection(conn_id: str = "erp_default") -> SqlErp | FileErp:
    """The adapter configured by Airflow connection `conn_id` (password goes into the SQL URL)."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    return erp_from_extra(conn.extra_dejson, conn.password)
