"""What VTEX must hold after an initial setup, derived from the ERP rows and the export alone.

Everything is compared by business keys (names, RefIds, codes), resolving the export's own ids,
so the check does not reuse the product's mapping code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _active(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("active", True)]


def category_paths_from_erp(erp: dict[str, list[dict]]) -> set[str]:
    by_code = {c["code"]: c for c in erp["categories"]}

    def path(code: str) -> str:
        row = by_code[code]
        return (path(row["parent_code"]) + "/" if row["parent_code"] else "") + row["name"].strip()

    return {path(code) for code in by_code}


def category_paths_from_vtex(export: dict[str, list[dict]]) -> list[str]:
    by_id = {c["Id"]: c for c in export["categories"]}

    def path(cid: int) -> str:
        row = by_id[cid]
        return (path(row["FatherCategoryId"]) + "/" if row.get("FatherCategoryId") else "") + row["Name"]

    return [path(cid) for cid in by_id]


def expected_view(erp: dict[str, list[dict]]) -> dict[str, Any]:
    """The ERP, keyed by business keys, in the shape `vtex_view` produces."""
    cats = {c["code"]: c for c in erp["categories"]}
    brands = {b["code"]: b["name"].strip() for b in erp["brands"]}
    fields = {f["code"]: f["name"].strip() for f in erp["specification_fields"]}
    values = {v["code"]: v["name"].strip() for v in erp["specification_values"]}
    fixed: dict[str, list] = {}
    for f in _active(erp["fixed_prices"]):
        fixed.setdefault(f["sku_ref_id"], []).append(
            (str(f["trade_policy_id"]), _money(f["value"]), int(f["min_quantity"]))
        )
    return {
        "brands": sorted(brands.values()),
        "products": {
            p["ref_id"]: (
                p["name"].strip(),
                cats[p["category_code"]]["name"].strip(),
                brands[p["brand_code"]],
                bool(p["active"]),
            )
            for p in erp["products"]
        },
        "trade_policies": sorted(
            (p["ref_id"], int(tp)) for p in erp["products"] for tp in str(p["trade_policies"]).split(",")
        ),
        "skus": {
            s["ref_id"]: (s["product_ref_id"], s["name"].strip(), bool(s["active"])) for s in erp["skus"]
        },
        "eans": sorted((s["ref_id"], s["ean"]) for s in erp["skus"] if s.get("ean")),
        "sku_specs": sorted(
            (s["sku_ref_id"], fields[s["field_code"]], values[s["value_code"]])
            for s in erp["sku_specifications"]
        ),
        "product_specs": sorted(
            (
                p["product_ref_id"],
                fields[p["field_code"]],
                values[p["value_code"]] if p.get("value_code") else (p.get("text") or "").strip(),
            )
            for p in erp["product_specifications"]
        ),
        # VTEX moves the main image to position 0, so compare which image is main instead
        "images": sorted((i["sku_ref_id"], i["url"], bool(i["is_main"])) for i in erp["sku_images"]),
        "prices": {
            p["sku_ref_id"]: (
                _money(p["base_price"]),
                _money(p.get("list_price")),
                _money(p.get("cost_price")),
                sorted(fixed.get(p["sku_ref_id"], [])),
            )
            for p in _active(erp["prices"])
        },
        "inventory": {
            (s["sku_ref_id"], s["warehouse_code"]): (int(s["quantity"]), bool(s["unlimited"]))
            for s in _active(erp["stock"])
        },
        "warehouses": sorted(w["code"] for w in erp["warehouses"]),
        "docks": sorted(d["code"] for d in erp["docks"]),
    }


def vtex_view(export: dict[str, list[dict]]) -> dict[str, Any]:
    """The sandbox export, keyed by the same business keys."""
    cats = {c["Id"]: c["Name"] for c in export["categories"]}
    brands = {b["Id"]: b["Name"] for b in export["brands"]}
    products = {p["Id"]: p for p in export["products"]}
    skus = {s["Id"]: s for s in export["skus"]}
    fields = {f["Id"]: f["Name"] for f in export["specification_fields"]}
    values = {v["FieldValueId"]: v["Name"] for v in export["specification_values"]}
    sku_ref = {sid: s["RefId"] for sid, s in skus.items()}
    return {
        "brands": sorted(brands.values()),
        "products": {
            p["RefId"]: (p["Name"], cats[p["CategoryId"]], brands[p["BrandId"]], bool(p["IsActive"]))
            for p in products.values()
        },
        "trade_policies": sorted(
            (products[int(t["ProductId"])]["RefId"], int(t["StoreId"]))
            for t in export["product_trade_policies"]
        ),
        "skus": {
            s["RefId"]: (products[s["ProductId"]]["RefId"], s["Name"], bool(s["IsActive"]))
            for s in skus.values()
        },
        "eans": sorted((sku_ref[int(e["SkuId"])], e["Ean"]) for e in export["sku_eans"]),
        "sku_specs": sorted(
            (sku_ref[int(s["SkuId"])], fields[s["FieldId"]], values[s["FieldValueId"]])
            for s in export["sku_specifications"]
        ),
        "product_specs": sorted(
            (
                products[int(s["ProductId"])]["RefId"],
                fields[s["FieldId"]],
                values[s["FieldValueId"]] if s.get("FieldValueId") else (s.get("Text") or ""),
            )
            for s in export["product_specifications"]
        ),
        "images": sorted(
            (sku_ref[int(f["SkuId"])], f["Url"], bool(f["IsMain"])) for f in export["sku_files"]
        ),
        "prices": {
            sku_ref[int(p["itemId"])]: (
                _money(p.get("basePrice")),
                _money(p.get("listPrice")),
                _money(p.get("costPrice")),
                sorted(
                    (str(f["tradePolicyId"]), _money(f["value"]), int(f["minQuantity"]))
                    for f in p.get("fixedPrices") or []
                ),
            )
            for p in export["prices"]
        },
        "inventory": {
            (sku_ref[int(i["skuId"])], i["warehouseId"]): (int(i["quantity"]), bool(i["unlimitedQuantity"]))
            for i in export["inventory"]
        },
        "warehouses": sorted(w["id"] for w in export["warehouses"]),
        "docks": sorted(d["id"] for d in export["docks"]),
    }


def _money(value: Any) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01")))
