"""Batch inventory client (Logistics `/availability/v1/inventory/batch...`, early access).

Create a batch, upload the CSV to the returned URL, confirm it within 30 minutes, poll its
status, read the error CSV (`logistics.json`, guide `batch-inventory-updates.md`). The
OpenAPI document names the confirm route `.../confirm`, the guide `.../commit`: the client
sends the document's and falls back to the guide's when that one is unknown (404).
"""

from __future__ import annotations

import logging

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.clients.storage import PresignedStorage
from vtex_provider.exceptions import VtexApiError, VtexNotFoundError
from vtex_provider.models.bulk import (
    BatchCreated,
    BatchErrorRow,
    BatchState,
    InventoryBatchErrors,
    InventoryBatchStatus,
    parse_inventory_errors,
)

log = logging.getLogger(__name__)

BATCH = "/availability/v1/inventory/batch"


class BatchInventoryRefusedError(VtexApiError):
    """The account cannot use batch inventory (early access not enabled, or no permission)."""


class BatchInventoryClient(VtexClient):
    """Create, upload, confirm, follow and read back batch inventory jobs."""

    api = "logistics"

    def __init__(self, hook, storage: PresignedStorage | None = None) -> None:
        super().__init__(hook)
        self.storage = storage or PresignedStorage()

    def create_batch(self) -> BatchCreated:
        """Register a batch. A lost answer leaves a batch that never gets a file: safe to retry.

        403 (feature not enabled for the account) and 404 raise `BatchInventoryRefusedError`.
        """
        try:
            body = self._json("POST", BATCH, idempotent=True, expect=(201, 200))
        except VtexApiError as error:
            if error.status in (403, 404, 405, 501):
                raise BatchInventoryRefusedError(
                    error.method, error.path, error.status, error.code, error.message
                ) from None
            raise
        return BatchCreated.model_validate(body)

    def upload(self, created: BatchCreated, data: bytes) -> None:
        self.storage.upload(created.upload, data)

    def confirm(self, batch_id: str) -> None:
        """Queue the uploaded file for processing (202). Confirming a batch VTEX already queued
        is not an error: a 400 is checked against the batch's status."""
        try:
            try:
                self._call("POST", f"{BATCH}/{seg(batch_id)}/confirm", idempotent=True, expect=(202, 200))
            except VtexNotFoundError:
                self._call("POST", f"{BATCH}/{seg(batch_id)}/commit", idempotent=True, expect=(202, 200))
        except VtexApiError as error:
            if error.status != 400:
                raise
            status = self.status(batch_id)
            if status.status in (BatchState.AWAITING_UPLOAD, BatchState.EXPIRED):
                raise
            log.info("batch %s was already confirmed (%s)", batch_id, status.status.value)

    def status(self, batch_id: str) -> InventoryBatchStatus:
        return InventoryBatchStatus.model_validate(self._json("GET", f"{BATCH}/{seg(batch_id)}/status"))

    def get_errors(self, batch_id: str) -> InventoryBatchErrors | None:
        """The error report's download URL; None when VTEX answers 204 (no errors, or none yet)."""
        body = self._json("GET", f"{BATCH}/{seg(batch_id)}/errors")
        return InventoryBatchErrors.model_validate(body) if body else None

    def error_rows(self, batch_id: str) -> list[BatchErrorRow]:
        """Every row of the batch's error CSV (empty when there is none)."""
        report = self.get_errors(batch_id)
        return parse_inventory_errors(self.storage.download(report.download_url)) if report else []
