"""Which VTEX batch a run's step batch sent, kept in the state store so retries find it again.

A task that created a batch records its id, its CSV and which ERP record each CSV row is,
before uploading; after the upload it adds an ``uploaded`` mark. A retried task (the worker
was killed while it waited, the triggerer restarted) reads the entry back and resumes
polling the same batch instead of planning and uploading again. Entries live in the state
store's intents table under the entity ``bulk_batch`` (each write is one idempotent insert).
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from typing import Any

ENTITY = "bulk_batch"
UPLOADED = "|uploaded"


@dataclass(frozen=True)
class ManifestRow:
    """One CSV row: the ERP record it came from, that record's payload hash, and the key the
    error CSV names it by (VTEX SKU id, or SKU id and warehouse/trade policy)."""

    erp_key: str
    payload_hash: str
    match: str
    vtex_id: str
    action: str  # create or update, for the counts


@dataclass(frozen=True)
class JournalEntry:
    kind: str  # base-prices, fixed-prices or inventory
    batch_id: str
    upload: dict[str, Any]
    csv: bytes
    rows: list[ManifestRow] = field(default_factory=list)

    def to_lookup(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "batch_id": self.batch_id,
            "upload": self.upload,
            "csv": base64.b64encode(zlib.compress(self.csv)).decode(),
            "rows": [[r.erp_key, r.payload_hash, r.match, r.vtex_id, r.action] for r in self.rows],
        }

    @classmethod
    def from_lookup(cls, data: dict[str, Any]) -> JournalEntry:
        return cls(
            kind=data["kind"],
            batch_id=data["batch_id"],
            upload=data["upload"],
            csv=zlib.decompress(base64.b64decode(data["csv"])),
            rows=[ManifestRow(*row) for row in data["rows"]],
        )


def journal_key(run_key: str, step: str, part: str, kind: str) -> str:
    """``run|step|batch|kind``: one entry per VTEX batch a task sends."""
    return f"{run_key}|{step}|{part}|{kind}"


class BatchJournal:
    """Read and write batch entries for one account."""

    def __init__(self, state: Any, account: str) -> None:
        self.state = state
        self.account = account

    def _all(self) -> dict[str, Any]:
        return {i.erp_key: i.lookup for i in self.state.intents(self.account, ENTITY)}

    def get(self, key: str) -> tuple[JournalEntry | None, bool]:
        """The entry under `key` and whether its file was uploaded."""
        entries = self._all()
        data = entries.get(key)
        return (JournalEntry.from_lookup(data) if data else None), (key + UPLOADED) in entries

    def record(self, key: str, entry: JournalEntry) -> None:
        self.state.add_intent(self.account, ENTITY, key, entry.to_lookup())

    def mark_uploaded(self, key: str) -> None:
        self.state.add_intent(self.account, ENTITY, key + UPLOADED, {"uploaded": True})

    def forget(self, key: str) -> None:
        self.state.clear_intent(self.account, ENTITY, key + UPLOADED)
        self.state.clear_intent(self.account, ENTITY, key)
