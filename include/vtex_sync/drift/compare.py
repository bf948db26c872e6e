"""Field-by-field comparison of the ERP's version of a record with VTEX's current one.

Only fields the ERP owns are compared (declared once, in `OWNED`); each difference is a
`FieldDrift` named by VTEX's own field name, so an operator can find it in the VTEX admin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

# VTEX field names (wire casing) the ERP owns, per reconciled entity.
OWNED: dict[str, tuple[str, ...]] = {
    "product": (
        "Name",
        "CategoryId",
        "BrandId",
        "RefId",
        "Title",
        "Description",
        "DescriptionShort",
        "KeyWords",
        "MetaTagDescription",
        "IsVisible",
        "IsActive",
    ),
    "sku": (
        "Name",
        "RefId",
        "IsActive",
        "PackagedHeight",
        "PackagedLength",
        "PackagedWidth",
        "PackagedWeightKg",
        "Height",
        "Length",
        "Width",
        "WeightKg",
        "ManufacturerCode",
        "MeasurementUnit",
        "UnitMultiplier",
    ),
    "price": ("basePrice", "listPrice", "costPrice", "fixedPrices"),
    "inventory": ("quantity", "unlimitedQuantity"),
}

MISSING = "(missing)"


@dataclass(frozen=True)
class FieldDrift:
    """One ERP-owned field whose VTEX value differs from the ERP's."""

    field: str
    erp: str
    vtex: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def normalise(value: Any) -> Any:
    """Empty strings and None are the same; numbers compare at 4 decimals; strings trimmed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return round(float(value), 4)
    if isinstance(value, str):
        return value.strip()
    return value


def show(value: Any) -> str:
    """How a value appears in a report (short, never a whole object)."""
    value = normalise(value)
    if value is None:
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def compare_fields(
    erp: Mapping[str, Any], vtex: Mapping[str, Any], fields: Iterable[str]
) -> list[FieldDrift]:
    """The `fields` whose normalised values differ between the two objects."""
    return [
        FieldDrift(name, show(erp.get(name)), show(vtex.get(name)))
        for name in fields
        if normalise(erp.get(name)) != normalise(vtex.get(name))
    ]


def _fixed_key(price: Mapping[str, Any]) -> str:
    return f"fixedPrices[tradePolicy {price.get('tradePolicyId')}, min {price.get('minQuantity') or 1}]"


def _fixed_value(price: Mapping[str, Any]) -> tuple[Any, ...]:
    dates = price.get("dateRange") or {}
    return (
        normalise(price.get("value")),
        normalise(price.get("listPrice")),
        dates.get("from"),
        dates.get("to"),
    )


def _show_fixed(value: tuple[Any, ...] | None) -> str:
    if value is None:
        return MISSING
    amount, list_price, start, end = value
    text = f"{show(amount)} (list {show(list_price)})"
    return text + (f" {start}..{end}" if start or end else "")


def compare_price(erp: Mapping[str, Any], vtex: Mapping[str, Any] | None) -> list[FieldDrift]:
    """Base, list and cost price, and every fixed price by trade policy and minimum quantity."""
    if vtex is None:
        return [FieldDrift("basePrice", show(erp.get("basePrice")), MISSING)]
    drift = compare_fields(erp, vtex, ("basePrice", "listPrice", "costPrice"))
    ours = {_fixed_key(p): _fixed_value(p) for p in erp.get("fixedPrices") or []}
    theirs = {_fixed_key(p): _fixed_value(p) for p in vtex.get("fixedPrices") or []}
    for key in sorted(set(ours) | set(theirs)):
        if ours.get(key) != theirs.get(key):
            drift.append(FieldDrift(key, _show_fixed(ours.get(key)), _show_fixed(theirs.get(key))))
    return drift


def compare_inventory(erp: Mapping[str, Any], balance: Mapping[str, Any] | None) -> list[FieldDrift]:
    """Quantity and the unlimited flag of one SKU in one warehouse (VTEX's balance entry)."""
    if balance is None:
        return [FieldDrift("quantity", show(erp.get("quantity")), MISSING)]
    theirs = {
        "quantity": balance.get("totalQuantity"),
        "unlimitedQuantity": bool(balance.get("hasUnlimitedQuantity")),
    }
    erp = {**erp, "unlimitedQuantity": bool(erp.get("unlimitedQuantity"))}
    if erp["unlimitedQuantity"] and theirs["unlimitedQuantity"]:
        return []  # an unlimited SKU's quantity means nothing
    return compare_fields(erp, theirs, OWNED["inventory"])
