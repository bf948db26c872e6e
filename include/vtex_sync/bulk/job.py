"""Send planned price or stock writes as VTEX batches, and record what each batch did.

`BatchSender.send` creates a batch, records it in the journal, uploads its file and (batch
inventory) confirms it; run again after a retry it finds the journal entry and resumes
instead of uploading twice. `BatchSender.finish` turns the final statuses into the same
outcome a per-record run gives: every record whose rows all went through gets its hash
recorded (so a second run sends nothing), every row of the error CSV becomes a failure with
its ERP key and VTEX's code and message, and rows VTEX skipped are read back and reported.
"""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vtex_provider.clients.batch_inventory import BatchInventoryClient
from vtex_provider.clients.bulk_pricing import BulkPricingClient
from vtex_provider.clients.storage import UploadUrlExpiredError
from vtex_provider.models.bulk import (
    BatchApi,
    BatchCreated,
    BatchErrorRow,
    BatchState,
    PriceImportType,
    UploadTarget,
)
from vtex_sync.bulk.files import BatchFile, BulkKind, error_match
from vtex_sync.bulk.journal import BatchJournal, JournalEntry, ManifestRow
from vtex_sync.flows.engine import EntityReport, Failure
from vtex_sync.records import Action

log = logging.getLogger(__name__)

API_OF = {
    BulkKind.BASE_PRICES: BatchApi.BULK_PRICING,
    BulkKind.FIXED_PRICES: BatchApi.BULK_PRICING,
    BulkKind.INVENTORY: BatchApi.BATCH_INVENTORY,
}


@dataclass(frozen=True)
class Sent:
    """A batch VTEX now has: its journal key and id."""

    key: str
    kind: BulkKind
    batch_id: str

    @property
    def pair(self) -> list[str]:
        return [API_OF[self.kind].value, self.batch_id]


class BatchSender:
    """Creates, uploads, confirms and reads back batches for one context (account, state store)."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.journal = BatchJournal(ctx.state, ctx.account)
        self.pricing = BulkPricingClient(ctx.hook)
        self.inventory = BatchInventoryClient(ctx.hook, storage=self.pricing.storage)

    @property
    def uploads(self) -> int:
        return self.pricing.storage.uploads

    # -- sending ----------------------------------------------------------------------------

    def send(self, key: str, kind: BulkKind, file: BatchFile | None) -> Sent | None:
        """Make sure VTEX has this batch (uploaded and, for stock, confirmed); None if there is
        nothing to send and no earlier attempt sent anything."""
        entry, uploaded = self.journal.get(key)
        if entry is None:
            if file is None or not file.rows:
                return None
            entry = self._create(key, kind, file.csv(), file.manifest)
        elif not entry.batch_id:  # held for this phase
            self.journal.forget(key)
            entry = self._create(key, kind, entry.csv, entry.rows)
        elif not uploaded and kind is not BulkKind.INVENTORY:
            if self.pricing.status(entry.batch_id).status is not BatchState.AWAITING_UPLOAD:
                uploaded = True  # the upload went through before the mark was written
                self.journal.mark_uploaded(key)
        if not uploaded:
            entry = self._upload(key, kind, entry)
        if kind is BulkKind.INVENTORY:
            entry = self._confirm(key, entry)
        return Sent(key, kind, entry.batch_id)

    def hold(self, key: str, kind: BulkKind, file: BatchFile | None) -> set[str]:
        """Keep a file for a later phase (fixed prices wait for their base prices); the ERP
        keys it holds (an earlier attempt's file, if there is one)."""
        entry, _ = self.journal.get(key)
        if entry is None:
            if file is None or not file.rows:
                return set()
            entry = JournalEntry(kind.value, "", {}, file.csv(), file.manifest)
            self.journal.record(key, entry)
        return {row.erp_key for row in entry.rows}

    def held(self, key: str) -> set[str]:
        entry, _ = self.journal.get(key)
        return {row.erp_key for row in entry.rows} if entry is not None else set()

    def _create(self, key: str, kind: BulkKind, data: bytes, manifest: list[ManifestRow]) -> JournalEntry:
        created: BatchCreated
        if kind is BulkKind.INVENTORY:
            created = self.inventory.create_batch()
        else:
            created = self.pricing.start_import(PriceImportType(kind.value), len(data))
        upload = created.upload.model_dump(mode="json")
        entry = JournalEntry(kind.value, created.batch_id, upload, data, manifest)
        self.journal.record(key, entry)
        log.info("created %s batch %s (%s rows)", kind.value, created.batch_id, f"{len(manifest):,}")
        return entry

    def _upload(self, key: str, kind: BulkKind, entry: JournalEntry) -> JournalEntry:
        try:
            self.pricing.storage.upload(UploadTarget.model_validate(entry.upload), entry.csv)
        except UploadUrlExpiredError:
            log.warning("upload URL of %s batch %s expired; starting a new batch", kind.value, entry.batch_id)
            entry = self._replace(key, kind, entry)
            self.pricing.storage.upload(UploadTarget.model_validate(entry.upload), entry.csv)
        self.journal.mark_uploaded(key)
        return entry

    def _replace(self, key: str, kind: BulkKind, entry: JournalEntry) -> JournalEntry:
        self.journal.forget(key)
        return self._create(key, kind, entry.csv, entry.rows)

    def _confirm(self, key: str, entry: JournalEntry) -> JournalEntry:
        status = self.inventory.status(entry.batch_id).status
        if status is BatchState.EXPIRED:
            log.warning("batch inventory %s expired before it was confirmed; sending a new batch",
                        entry.batch_id)
            entry = self._upload(key, BulkKind.INVENTORY, self._replace(key, BulkKind.INVENTORY, entry))
            status = BatchState.AWAITING_UPLOAD
        if status is BatchState.AWAITING_UPLOAD:
            self.inventory.confirm(entry.batch_id)
        return entry

    # -- finishing --------------------------------------------------------------------------

    def finish(
        self,
        entity: str,
        sent: Iterable[Sent],
        event: dict[str, Any],
        *,
        later: set[str] | frozenset[str] = frozenset(),
        done: set[str] | frozenset[str] = frozenset(),
    ) -> tuple[EntityReport, set[str]]:
        """Record the outcome of finished batches (`event`: what the trigger fired); the report
        and the ERP keys that failed. Records in `later` (their other rows go in a later phase)
        are finished by that phase; records in `done` failed in an earlier phase."""
        statuses = {b.get("batchId"): b for b in event.get("batches", [])}
        outcome = EntityReport(entity)
        failed: dict[str, tuple[str, str]] = {}
        unconfirmed: set[str] = set()
        rows_by_key: dict[str, ManifestRow] = {}
        for item in sent:
            entry, _ = self.journal.get(item.key)
            if entry is None:
                continue  # finished by an earlier attempt
            for row in entry.rows:
                rows_by_key.setdefault(row.erp_key, row)
            status = statuses.get(entry.batch_id) or {"status": "MISSING"}
            self._read_result(item.kind, entry, status, outcome, failed, unconfirmed)
        failed = {k: v for k, v in failed.items() if k not in done}
        settled = {k: row for k, row in rows_by_key.items()
                   if k not in done and (k not in later or k in failed)}
        ok = [row for key, row in settled.items() if key not in failed and key not in unconfirmed]
        self._record(entity, ok)
        for key, (call, reason) in sorted(failed.items()):
            outcome.failures.append(Failure(key, call, reason))
            self.ctx.state.set_status(self.ctx.account, entity, key, "failed", f"{call}: {reason}")
        outcome.counts["planned"] += len(settled)
        outcome.counts["failed"] += len(failed)
        for row in ok:
            outcome.counts["created" if row.action == Action.CREATE else "updated"] += 1
        for item in sent:
            self.journal.forget(item.key)
        return outcome, set(failed)

    def _read_result(
        self,
        kind: BulkKind,
        entry: JournalEntry,
        status: dict[str, Any],
        outcome: EntityReport,
        failed: dict[str, tuple[str, str]],
        unconfirmed: set[str],
    ) -> None:
        call = f"{kind.value} batch {entry.batch_id}"
        state = status.get("status")
        outcome.counts["batches"] += 1
        if state in (BatchState.FAILED, BatchState.EXPIRED, "ERROR", "TIMEOUT", "MISSING"):
            reason = f"batch {state}" + (f": {status['message']}" if status.get("message") else "")
            log.warning("%s %s: every row of it failed", call, state)
            for row in entry.rows:
                failed.setdefault(row.erp_key, (call, reason))
            return
        errors = self._errors(kind, entry.batch_id) if int(status.get("errorCount") or 0) else []
        by_match = defaultdict(list)
        for row in entry.rows:
            by_match[row.match].append(row)
        unmatched = 0
        for error in errors:
            rows = by_match.get(error_match(kind, error.values)) or self._by_line(entry, error)
            if not rows:
                unmatched += 1
                continue
            for row in rows:
                failed.setdefault(row.erp_key, (call, f"{error.code} {error.message}".strip()))
        expected = int(status.get("errorCount") or 0)
        if unmatched or len(errors) < expected:
            # VTEX reported errors we cannot pin on a record: record nothing of this batch
            log.warning("%s: %s error rows, %s in its report, %s not matched; its records stay unsent",
                        call, expected, len(errors), unmatched)
            unconfirmed.update(row.erp_key for row in entry.rows)
        skipped = int((status.get("summary") or {}).get("skippedDueApiUpdateCount") or 0)
        if skipped:
            outcome.counts["skipped_by_vtex"] += skipped
            self._read_back_skipped(call, entry, failed, unconfirmed, skipped)

    def _errors(self, kind: BulkKind, batch_id: str) -> list[BatchErrorRow]:
        if kind is BulkKind.INVENTORY:
            return self.inventory.error_rows(batch_id)
        return self.pricing.error_rows(batch_id)

    @staticmethod
    def _by_line(entry: JournalEntry, error: BatchErrorRow) -> list[ManifestRow]:
        """Batch inventory's line numbers count the header as line 1."""
        index = (error.line_number or 0) - 2
        return [entry.rows[index]] if 0 <= index < len(entry.rows) else []

    def _read_back_skipped(
        self, call: str, entry: JournalEntry, failed: dict[str, tuple[str, str]], unconfirmed: set[str],
        skipped: int,
    ) -> None:
        """Rows VTEX skipped (changed through the per-item API meanwhile) are not named in any
        report: read the batch's SKUs back and fail the rows whose stock differs from the file."""
        sent = list(csv.DictReader(io.StringIO(entry.csv.decode("utf-8"))))
        skus = sorted({row["item_id"] for row in sent})
        results = self.ctx.executor.map(self.ctx.clients.logistics.get_inventory, skus)
        balances: dict[tuple[str, str], Any] = {}
        for sku, result in zip(skus, results, strict=True):
            if result.error is not None or result.value is None:
                continue
            for balance in result.value.balance:
                balances[(sku, balance.warehouse_id)] = balance
        found = 0
        for row, manifest in zip(sent, entry.rows, strict=True):
            if manifest.erp_key in failed:
                continue
            balance = balances.get((row["item_id"], row["container_id"]))
            unlimited = row["unlimited"] == "true"
            same = balance is not None and balance.has_unlimited_quantity == unlimited and (
                unlimited or balance.total_quantity == int(row["quantity"])
            )
            if not same:
                found += 1
                reason = "skipped by VTEX: the stock was changed through the per-item API during the batch"
                failed[manifest.erp_key] = (call, reason)
        log.warning("%s: VTEX skipped %s rows (skippedDueApiUpdateCount); %s differ on read-back and are "
                    "reported as failed", call, skipped, found)

    def _record(self, entity: str, rows: list[ManifestRow]) -> None:
        state, account = self.ctx.state, self.ctx.account
        for row in rows:
            state.bind(account, entity, row.erp_key, row.vtex_id, payload_hash=row.payload_hash)
