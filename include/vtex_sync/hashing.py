"""Stable hashes of normalised VTEX payloads ("send only what changed")."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def normalise(value: Any) -> Any:
    """Canonical form: trimmed NFC strings, 2-decimal money as strings, sorted keys."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).quantize(Decimal("0.0001")).normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return str(value)


def payload_hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(normalise(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
