"""The ERP side: staging schema, row validation and the SQL / file adapters."""

from __future__ import annotations

from vtex_sync.erp.base import Erp, ErpOrders, ErpReader
from vtex_sync.erp.factory import erp_from_connection, erp_from_extra, erp_from_url
from vtex_sync.erp.files import FileErp, write_drop
from vtex_sync.erp.schema import INBOUND_TABLES, create_erp_schema, key_columns
from vtex_sync.erp.sql import SqlErp
from vtex_sync.erp.validation import QuarantineEntry, ValidationResult, check_category_tree, validate_rows

__all__ = [
    "INBOUND_TABLES",
    "Erp",
    "ErpOrders",
    "ErpReader",
    "FileErp",
    "QuarantineEntry",
    "SqlErp",
    "ValidationResult",
    "check_category_tree",
    "create_erp_schema",
    "erp_from_connection",
    "erp_from_extra",
    "erp_from_url",
    "key_columns",
    "validate_rows",
    "write_drop",
]
