"""Base classes for VTEX payload models."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel, to_pascal


class VtexModel(BaseModel):
    """A VTEX payload: snake_case in Python, VTEX's casing on the wire; unknown fields ignored.

    `to_body()` sends every field (full-replace PUTs need the complete object),
    except the ones named in `omit_when_none`, which are left out while unset.
    """

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)
    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    def to_body(self) -> dict[str, Any]:
        body = self.model_dump(mode="json", by_alias=True)
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None and name in self.omit_when_none:
                body.pop(self._alias(name), None)
            elif isinstance(value, VtexModel):
                body[self._alias(name)] = value.to_body()
            elif isinstance(value, list) and value and isinstance(value[0], VtexModel):
                body[self._alias(name)] = [item.to_body() for item in value]
        return body

    @classmethod
    def _alias(cls, name: str) -> str:
        field = cls.model_fields[name]
        return field.serialization_alias or field.alias or name

    @classmethod
    def parse_list(cls, data: object) -> list:
        """Validate a JSON array (None or a non-list gives an empty list)."""
        return [cls.model_validate(item) for item in data] if isinstance(data, list) else []


class PascalModel(VtexModel):
    """Catalog payloads (PascalCase)."""

    model_config = ConfigDict(alias_generator=to_pascal)


class CamelModel(VtexModel):
    """Pricing, Logistics, OMS and Master Data payloads (camelCase)."""

    model_config = ConfigDict(alias_generator=to_camel)
