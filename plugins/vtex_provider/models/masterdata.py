"""Master Data payloads. Documents are free-form dicts; only the create/upsert answer is typed."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from vtex_provider.models.base import VtexModel


class DocumentRef(VtexModel):
    """`{Id, Href, DocumentId}` (v1 also answers in lowercase). `id` is `<entity>-<uuid>`."""

    id: str = Field(validation_alias=AliasChoices("Id", "id"))
    href: str | None = Field(None, validation_alias=AliasChoices("Href", "href"))
    document_id: str | None = Field(None, validation_alias=AliasChoices("DocumentId", "documentId"))

    @property
    def bare_id(self) -> str:
        """The document id without the `<entity>-` prefix."""
        return self.document_id or self.id.split("-", 1)[-1]
