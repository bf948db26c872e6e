"""Base classes for VTEX payload models, and the one serialisation policy of request bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel, to_pascal


class VtexModel(BaseModel):
    """A VTEX payload: snake_case in Python, VTEX's casing on the wire; unknown fields ignored.

    `to_body()` follows VTEX's OpenAPI documents:

    * a field left unset (`None`) is omitted, never sent as `null` (VTEX treats a missing and a
      `null` field alike on its full-replace PUTs, but most of its schemas reject `null`);
    * `send_null` names the fields VTEX documents as nullable *and required*, or whose `null`
      means something (a category without a father is a department): those are sent as `null`;
    * `read_only` names fields VTEX answers but does not accept (never sent);
    * a field VTEX requires has no `None` default here: it is required in Python or carries
      VTEX's documented default.
    """

    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)
    send_null: ClassVar[frozenset[str]] = frozenset()
    read_only: ClassVar[frozenset[str]] = frozenset()

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in self.read_only or (value is None and name not in self.send_null):
                continue
            body[self._alias(name)] = _wire(value)
        return body

    @classmethod
    def _alias(cls, name: str) -> str:
        field = cls.model_fields[name]
        return field.serialization_alias or field.alias or name

    @classmethod
    def parse_list(cls, data: object) -> list:
        """Validate a JSON array (None or a non-list gives an empty list)."""
        return [cls.model_validate(item) for item in data] if isinstance(data, list) else []


def _wire(value: Any) -> Any:
    if isinstance(value, VtexModel):
        return value.to_body()
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    return value


class PascalModel(VtexModel):
    """Catalog payloads (PascalCase)."""

    model_config = ConfigDict(alias_generator=to_pascal)


class CamelModel(VtexModel):
    """Pricing, Logistics, OMS and Master Data payloads (camelCase)."""

    model_config = ConfigDict(alias_generator=to_camel)
