"""Bulk Pricing import client (`/api/price-importer/pvt/...` on the account host).

One import is one CSV of base prices or of fixed prices: start it, upload the file to the
returned URL, poll the batch, read the error CSV (`bulk-pricing.json`, `bulk-pricing-import.md`).
"""

from __future__ import annotations

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.clients.storage import PresignedStorage
from vtex_provider.exceptions import VtexApiError
from vtex_provider.models.bulk import (
    BatchCreated,
    BatchErrorRow,
    PriceBatchStatus,
    PriceImportType,
    parse_price_errors,
)

IMPORTER = "/api/price-importer/pvt"


class BulkPricingRefusedError(VtexApiError):
    """The account cannot start Bulk Pricing imports (no such API, or no permission to)."""


class BulkPricingClient(VtexClient):
    """Start, follow and read back Bulk Pricing imports."""

    api = "store"

    def __init__(self, hook, storage: PresignedStorage | None = None) -> None:
        super().__init__(hook)
        self.storage = storage or PresignedStorage()

    def start_import(self, import_type: PriceImportType, content_length: int) -> BatchCreated:
        """Create the batch. A lost answer leaves at most a batch that never gets a file, so a
        retry is safe."""
        body = {"contentType": "text/csv", "contentLengthBytes": content_length}
        path = f"{IMPORTER}/import/{seg(PriceImportType(import_type).value)}"
        try:
            return BatchCreated.model_validate(self._json("POST", path, json=body, idempotent=True))
        except VtexApiError as error:
            if error.status in (403, 404, 405, 501):
                raise BulkPricingRefusedError(
                    error.method, error.path, error.status, error.code, error.message
                ) from None
            raise

    def import_csv(self, import_type: PriceImportType, data: bytes) -> BatchCreated:
        """Start an import and upload its file."""
        created = self.start_import(import_type, len(data))
        self.storage.upload(created.upload, data)
        return created

    def get_batch(self, batch_id: str) -> PriceBatchStatus:
        return PriceBatchStatus.model_validate(self._json("GET", f"{IMPORTER}/batches/{seg(batch_id)}"))

    def status(self, batch_id: str) -> PriceBatchStatus:
        """Same as `get_batch` (the name both batch clients share)."""
        return self.get_batch(batch_id)

    def get_errors_url(self, batch_id: str) -> str | None:
        body = self._json("GET", f"{IMPORTER}/batches/{seg(batch_id)}/errors")
        return body.get("url") if isinstance(body, dict) else None

    def error_rows(self, batch_id: str) -> list[BatchErrorRow]:
        """Every row of the batch's error CSV (empty when VTEX has no report)."""
        url = self.get_errors_url(batch_id)
        return parse_price_errors(self.storage.download(url)) if url else []
