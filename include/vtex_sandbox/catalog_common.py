"""Building blocks of the Catalog routers: lenient booleans, id assignment, lookups."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from vtex_sandbox.errors import VtexError, bad_request, not_found, unknown_reference
from vtex_sandbox.store import Store

# VTEX treats a missing or null boolean as false (the root of its full-replace pitfalls).
Flag = Annotated[bool, BeforeValidator(lambda v: False if v is None else v)]

SKU_SPEC_FIELD_TYPES = (5, 6)  # Combo, Radio
VALUE_FIELD_TYPES = (5, 6, 7)  # Combo, Radio, Checkbox
FIELD_TYPE_NAMES = {
    1: "Text",
    2: "Multi-Line Text",
    4: "Number",
    5: "Combo",
    6: "Radio",
    7: "Checkbox",
    8: "Indexed Text",
    9: "Indexed Multi-Line Text",
}


class CatalogModel(BaseModel):
    """Request body: unknown fields ignored, omitted ones wiped (full replace)."""

    model_config = ConfigDict(extra="ignore")


def assign_id(store: Store, kind: str, requested: int | None) -> int:
    """A new integer id; a custom one is accepted (if free) and moves the counter past it."""
    if requested is None:
        new_id = store.next_id(kind)
        while store.get(kind, new_id) is not None:
            new_id = store.next_id(kind)
        return new_id
    if store.get(kind, requested) is not None:
        raise VtexError(409, f"An object with Id {requested} already exists")
    store.bump_id(kind, requested)
    return requested


def get_or_404(store: Store, kind: str, key: Any, what: str) -> dict[str, Any]:
    doc = store.get(kind, key)
    if doc is None:
        raise not_found(what, key)
    return doc


def require(store: Store, kind: str, key: Any, what: str) -> dict[str, Any]:
    """The referenced object, or 400 when the body points at something that does not exist."""
    if key is None:
        raise bad_request(f"The field '{what}Id' is required")
    doc = store.get(kind, key)
    if doc is None:
        raise unknown_reference(what, key)
    return doc


def slug(text: str) -> str:
    """VTEX-style LinkId: lowercase words joined by hyphens."""
    words = "".join(c.lower() if c.isalnum() else " " for c in text).split()
    return "-".join(words)
