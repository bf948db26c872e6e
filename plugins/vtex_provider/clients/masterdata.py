"""Master Data client: documents of a data entity (CL, AD, ...) and paged search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vtex_provider.clients.base import VtexClient, seg
from vtex_provider.models.masterdata import DocumentRef

MAX_PAGE = 100
_CONTENT_RANGE = re.compile(r"resources\s+(\d+)-(\d+)/(\d+)")


class MasterDataClient(VtexClient):
    """Create, upsert, replace, patch, read and search Master Data documents."""

    def _documents(self, entity: str) -> str:
        return f"/api/dataentities/{seg(entity)}/documents"

    def create_document(self, entity: str, doc: dict[str, Any]) -> DocumentRef:
        """POST a new document (not idempotent: each call creates one)."""
        body = self._json("POST", self._documents(entity), json=doc, idempotent=False)
        return DocumentRef.model_validate(body)

    def upsert_document(self, entity: str, doc: dict[str, Any]) -> DocumentRef | None:
        """PATCH `/documents`: create or update by the `id` in `doc`."""
        body = self._json(
            "PATCH", self._documents(entity), json=doc, idempotent="id" in doc, expect=(200, 201, 304)
        )
        return DocumentRef.model_validate(body) if isinstance(body, dict) else None

    def put_document(self, entity: str, doc_id: str, doc: dict[str, Any]) -> None:
        """Create or fully replace the document with this id."""
        self._call("PUT", f"{self._documents(entity)}/{seg(doc_id)}", json=doc)

    def patch_document(self, entity: str, doc_id: str, doc: dict[str, Any]) -> None:
        """Update only the given fields."""
        self._call("PATCH", f"{self._documents(entity)}/{seg(doc_id)}", json=doc, idempotent=True)

    def get_document(
        self, entity: str, doc_id: str, fields: list[str] | None = None
    ) -> dict[str, Any] | None:
        params = {"_fields": ",".join(fields) if fields else "_all"}
        return self._json_or_none(f"{self._documents(entity)}/{seg(doc_id)}", params=params)

    def search(
        self,
        entity: str,
        where: str | None = None,
        fields: list[str] | tuple[str, ...] = ("id",),
        filters: dict[str, Any] | None = None,
        sort: str | None = None,
        page_size: int = MAX_PAGE,
    ) -> Iterator[dict[str, Any]]:
        """Yield every matching document, paging with `REST-Range` until `REST-Content-Range` says done."""
        size = max(1, min(page_size, MAX_PAGE))
        params: dict[str, Any] = dict(filters or {})
        params["_fields"] = ",".join(fields)
        if where:
            params["_where"] = where
        if sort:
            params["_sort"] = sort
        start = 0
        while True:
            headers = {"REST-Range": f"resources={start}-{start + size}"}
            response = self._call(
                "GET", f"/api/dataentities/{seg(entity)}/search", params=params, headers=headers
            )
            page = response.json() if response.content.strip() else []
            yield from page
            total = _total(response.headers.get("REST-Content-Range"))
            start += len(page)
            if not page or len(page) < size or (total is not None and start >= total):
                return


def _total(content_range: str | None) -> int | None:
    match = _CONTENT_RANGE.search(content_range or "")
    return int(match.group(3)) if match else None
