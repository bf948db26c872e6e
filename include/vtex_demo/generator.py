"""Deterministic demo ERP data: a category tree, brands, specifications, products with SKU
variants, images, prices, warehouses, stock and customers.

    python -m vtex_demo.generator --size demo --seed 1 --url sqlite:///demo-erp.db
    python -m vtex_demo.generator --size tiny --format csv --out erp-drop/
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from vtex_sync.erp.files import write_drop
from vtex_sync.erp.models import ean_check_digit_ok
from vtex_sync.erp.schema import INBOUND_TABLES
from vtex_sync.erp.sql import SqlErp

BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)  # default first `updated_at`; the demo passes a recent one
SIZES = {"tiny": 10, "demo": 200, "bench": 2000}
IMAGE_HOST = "https://images.example.com"

DEPARTMENTS = ["Apparel", "Footwear", "Sports", "Outdoor", "Home", "Accessories", "Kids", "Beauty"]
CATEGORY_WORDS = ["Tops", "Bottoms", "Outerwear", "Basics", "Running", "Training", "Travel", "Classics",
                  "Essentials", "Premium", "Seasonal", "Studio"]
SUB_WORDS = ["Men", "Women", "Unisex", "Lightweight", "Heavyweight", "Organic", "Eco", "Pro"]
BRANDS = ["Acme", "Borealis", "Cumbre", "Dourado", "Estrela", "Faro", "Gávea", "Horizonte", "Ipê", "Jatobá"]
ADJECTIVES = ["Classic", "Urban", "Trail", "Soft", "Breeze", "Núcleo", "Vértice", "Prime", "Flex", "Aurora"]
NOUNS = ["T-Shirt", "Hoodie", "Jacket", "Shorts", "Sneaker", "Backpack", "Cap", "Legging", "Polo", "Vest"]
COLOURS = ["Black", "White", "Navy", "Red", "Green", "Grey", "Yellow", "Blue"]
SIZES_TEXT = ["XS", "S", "M", "L", "XL", "XXL"]
MATERIALS = ["Cotton", "Polyester", "Recycled polyester", "Linen", "Wool blend", "Nylon"]
FITS = ["Regular", "Slim", "Relaxed"]
FIRST_NAMES = ["Ana", "Bruno", "Camila", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Íris", "João"]
LAST_NAMES = ["Silva", "Souza", "Oliveira", "Pereira", "Lima", "Araújo", "Costa", "Gonçalves"]
CITIES = [("São Paulo", "SP", "01310-100"), ("Rio de Janeiro", "RJ", "20040-020"),
          ("Belo Horizonte", "MG", "30130-010"), ("Curitiba", "PR", "80010-000")]


def product_count(size: str | int) -> int:
    if isinstance(size, int) or str(size).isdigit():
        return max(1, int(size))
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"size must be one of {sorted(SIZES)} or a number of products") from None


def ean13(rng: random.Random) -> str:
    body = "789" + "".join(str(rng.randrange(10)) for _ in range(9))
    check = next(str(d) for d in range(10) if ean_check_digit_ok(body + str(d)))
    return body + check


def cpf(rng: random.Random) -> str:
    """A valid Brazilian CPF (11 digits with both check digits)."""
    digits = [rng.randrange(10) for _ in range(9)]
    for length in (9, 10):
        total = sum(d * (length + 1 - i) for i, d in enumerate(digits[:length]))
        digits.append((total * 10 % 11) % 10)
    return "".join(map(str, digits))


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


class _Clock:
    """Deterministic, strictly increasing `updated_at` values."""

    def __init__(self, base: datetime = BASE_TIME) -> None:
        self.base = base
        self.tick = 0

    def __call__(self) -> datetime:
        self.tick += 1
        return self.base + timedelta(seconds=self.tick)


def _categories(n_products: int, stamp: _Clock) -> tuple[list[dict], list[str]]:
    departments = min(len(DEPARTMENTS), max(3, n_products // 60))
    per_department = max(1, min(len(CATEGORY_WORDS), n_products // (departments * 20)))
    per_category = max(1, min(len(SUB_WORDS), n_products // (departments * per_department * 8)))
    rows, leaves = [], []
    for d in range(departments):
        dept = f"D{d + 1:02d}"
        rows.append({"code": dept, "parent_code": None, "name": DEPARTMENTS[d], "title": DEPARTMENTS[d],
                     "description": f"All {DEPARTMENTS[d].lower()}", "keywords": DEPARTMENTS[d].lower(),
                     "active": True, "updated_at": stamp()})
        for c in range(per_department):
            cat = f"{dept}-C{c + 1:02d}"
            name = f"{DEPARTMENTS[d]} {CATEGORY_WORDS[c]}"
            rows.append({"code": cat, "parent_code": dept, "name": name, "title": name,
                         "description": None, "keywords": None, "active": True, "updated_at": stamp()})
            for s in range(per_category):
                sub = f"{cat}-S{s + 1:02d}"
                rows.append({"code": sub, "parent_code": cat, "name": f"{SUB_WORDS[s]} {CATEGORY_WORDS[c]}",
                             "title": None, "description": None, "keywords": None, "active": True,
                             "updated_at": stamp()})
                leaves.append(sub)
    return rows, leaves


def _specifications(stamp: _Clock) -> dict[str, list[dict]]:
    groups = [
        {"code": "G-DETAILS", "category_code": None, "name": "Product details", "position": 1},
        {"code": "G-VARIATIONS", "category_code": None, "name": "Variations", "position": 2},
    ]
    fields = [
        ("F-MATERIAL", "G-DETAILS", "Material", "text", False, False),
        ("F-FIT", "G-DETAILS", "Fit", "combo", False, True),
        ("F-COLOUR", "G-VARIATIONS", "Colour", "combo", True, True),
        ("F-SIZE", "G-VARIATIONS", "Size", "radio", True, True),
    ]
    value_names = {"F-FIT": FITS, "F-COLOUR": COLOURS, "F-SIZE": SIZES_TEXT}
    values = [
        {"code": f"{field}-{name.upper().replace(' ', '-')}", "field_code": field, "name": name,
         "position": pos, "active": True, "updated_at": stamp()}
        for field, names in value_names.items() for pos, name in enumerate(names, 1)
    ]
    return {
        "specification_groups": [{**g, "active": True, "updated_at": stamp()} for g in groups],
        "specification_fields": [
            {"code": code, "group_code": group, "category_code": None, "name": name, "field_type": kind,
             "is_sku_spec": sku_spec, "is_filter": is_filter, "is_required": sku_spec, "position": pos,
             "active": True, "updated_at": stamp()}
            for pos, (code, group, name, kind, sku_spec, is_filter) in enumerate(fields, 1)
        ],
        "specification_values": values,
    }


def _catalog(rng: random.Random, n_products: int, leaves: list[str], stamp: _Clock) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in (
        "products", "product_specifications", "skus", "sku_specifications", "sku_images", "prices",
        "fixed_prices", "stock")}
    brand_codes = [f"B{b + 1:02d}" for b in range(len(BRANDS))]
    for p in range(n_products):
        ref = f"P{p + 1:05d}"
        brand = rng.randrange(len(BRANDS))
        name = f"{BRANDS[brand]} {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {p + 1}"
        out["products"].append({
            "ref_id": ref, "category_code": leaves[p % len(leaves)], "brand_code": brand_codes[brand],
            "name": name, "title": name, "description": f"{name}: comfortable, durable and easy to care for.",
            "short_description": name, "keywords": f"{BRANDS[brand].lower()},{ref.lower()}",
            "meta_description": f"Buy {name}", "link_id": None, "release_date": stamp.base,
            "is_visible": True, "trade_policies": "1,2", "active": True, "updated_at": stamp(),
        })
        out["product_specifications"] += [
            {"product_ref_id": ref, "field_code": "F-MATERIAL", "value_code": "",
             "text": rng.choice(MATERIALS), "active": True, "updated_at": stamp()},
            {"product_ref_id": ref, "field_code": "F-FIT", "value_code": f"F-FIT-{rng.choice(FITS).upper()}",
             "text": None, "active": True, "updated_at": stamp()},
        ]
        base = rng.uniform(19.9, 599.9)
        variants = rng.sample([(c, s) for c in COLOURS for s in SIZES_TEXT], rng.randint(1, 6))
        for v, (colour, size) in enumerate(variants, 1):
            sku = f"{ref}-{v:02d}"
            out["skus"].append({
                "ref_id": sku, "product_ref_id": ref, "ean": ean13(rng) if rng.random() < 0.8 else None,
                "name": f"{name} {colour} {size}", "height": money(rng.uniform(2, 20)),
                "width": money(rng.uniform(10, 40)), "length": money(rng.uniform(10, 50)),
                "weight_kg": money(rng.uniform(100, 2000)), "packaged_height": money(rng.uniform(3, 25)),
                "packaged_width": money(rng.uniform(12, 45)), "packaged_length": money(rng.uniform(12, 55)),
                "packaged_weight_kg": money(rng.uniform(150, 2500)), "measurement_unit": "un",
                "unit_multiplier": Decimal(1), "manufacturer_code": f"MC-{sku}", "active": True,
                "updated_at": stamp(),
            })
            out["sku_specifications"] += [
                {"sku_ref_id": sku, "field_code": "F-COLOUR", "value_code": f"F-COLOUR-{colour.upper()}",
                 "active": True, "updated_at": stamp()},
                {"sku_ref_id": sku, "field_code": "F-SIZE", "value_code": f"F-SIZE-{size}",
                 "active": True, "updated_at": stamp()},
            ]
            for position in range(1, rng.randint(1, 2) + 1):
                out["sku_images"].append({
                    "sku_ref_id": sku, "position": position,
                    "url": f"{IMAGE_HOST}/{ref}/{sku}-{position}.jpg",
                    "label": colour if position == 1 else "detail", "name": f"{sku}-{position}",
                    "is_main": position == 1, "active": True, "updated_at": stamp(),
                })
            price = base * rng.uniform(0.95, 1.05)
            out["prices"].append({
                "sku_ref_id": sku, "base_price": money(price),
                "list_price": money(price * 1.25) if rng.random() < 0.5 else None,
                "cost_price": money(price * 0.55), "active": True, "updated_at": stamp(),
            })
            if rng.random() < 0.2:
                out["fixed_prices"].append({
                    "sku_ref_id": sku, "trade_policy_id": "2", "min_quantity": 1, "value": money(price * 0.9),
                    "list_price": None, "date_from": None, "date_to": None, "active": True,
                    "updated_at": stamp(),
                })
            for warehouse in ("WH-SP", "WH-RJ"):
                unlimited = rng.random() < 0.1
                out["stock"].append({
                    "sku_ref_id": sku, "warehouse_code": warehouse,
                    "quantity": 0 if unlimited else rng.randint(0, 120), "unlimited": unlimited,
                    "lead_time": rng.choice(["00:00:00", "00:00:00", "1.00:00:00", "2.00:00:00"]),
                    "active": True, "updated_at": stamp(),
                })
    return out


def _customers(rng: random.Random, count: int, stamp: _Clock) -> dict[str, list[dict]]:
    customers, addresses = [], []
    for c in range(count):
        code = f"C{c + 1:04d}"
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        corporate = rng.random() < 0.15
        customers.append({
            "code": code, "email": f"customer{c + 1}@example.com", "first_name": first, "last_name": last,
            "document_type": "cpf", "document": cpf(rng), "phone": f"+55119{c + 1:08d}",
            "is_corporate": corporate, "corporate_name": f"{last} Comércio Ltda" if corporate else None,
            "trade_name": f"{last} Store" if corporate else None,
            "corporate_document": "".join(str(rng.randrange(10)) for _ in range(14)) if corporate else None,
            "newsletter_opt_in": rng.random() < 0.4, "active": True, "updated_at": stamp(),
        })
        for a in range(rng.randint(1, 2)):
            city, state, postal = rng.choice(CITIES)
            addresses.append({
                "code": f"{code}-A{a + 1}", "customer_code": code,
                "address_name": "Home" if a == 0 else "Work",
                "address_type": "residential" if a == 0 else "commercial", "receiver_name": f"{first} {last}",
                "street": f"Rua {rng.choice(LAST_NAMES)}", "number": str(rng.randint(1, 2000)),
                "complement": None, "neighborhood": "Centro", "city": city, "state": state, "country": "BRA",
                "postal_code": postal, "active": True, "updated_at": stamp(),
            })
    return {"customers": customers, "customer_addresses": addresses}


def generate(
    size: str | int, seed: int = 0, base_time: datetime = BASE_TIME
) -> dict[str, list[dict[str, Any]]]:
    """Deterministic demo data for every inbound table: the same (size, seed, base_time) gives the
    same rows; `updated_at` counts up one second per row from `base_time`."""
    n_products = product_count(size)
    rng = random.Random(seed)
    stamp = _Clock(base_time)
    categories, leaves = _categories(n_products, stamp)
    data: dict[str, list[dict[str, Any]]] = {"categories": categories}
    data["brands"] = [
        {"code": f"B{b + 1:02d}", "name": name, "title": name, "meta_description": f"{name} products",
         "keywords": name.lower(), "active": True, "updated_at": stamp()}
        for b, name in enumerate(BRANDS)
    ]
    data |= _specifications(stamp)
    data["warehouses"] = [
        {"code": "WH-SP", "name": "São Paulo DC", "priority": 1, "active": True, "updated_at": stamp()},
        {"code": "WH-RJ", "name": "Rio de Janeiro DC", "priority": 2, "active": True, "updated_at": stamp()},
    ]
    data["docks"] = [
        {"code": "DOCK-SP", "name": "São Paulo dock", "warehouse_code": "WH-SP",
         "handling_time": "1.00:00:00",
         "cost": Decimal("0.00"), "trade_policies": "1,2", "active": True, "updated_at": stamp()},
        {"code": "DOCK-RJ", "name": "Rio dock", "warehouse_code": "WH-RJ", "handling_time": "2.00:00:00",
         "cost": Decimal("5.00"), "trade_policies": "1,2", "active": True, "updated_at": stamp()},
    ]
    data |= _catalog(rng, n_products, leaves, stamp)
    data |= _customers(rng, max(5, n_products // 2), stamp)
    return {name: data[name] for name in INBOUND_TABLES}


def load_into(erp_url: str, data: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, int]:
    """Create the staging schema at `erp_url` and upsert `data` into it. Returns rows per table."""
    erp = SqlErp(erp_url, create_schema=True)
    try:
        return {name: erp.upsert_rows(name, rows) for name, rows in data.items()}
    finally:
        erp.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vtex_demo.generator", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="demo", help="tiny, demo, bench or a number of products")
    parser.add_argument("--seed", type=int, default=0)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="SQLAlchemy URL of the ERP staging database")
    target.add_argument("--out", help="drop folder for CSV/Parquet files")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    args = parser.parse_args(argv)
    data = generate(int(args.size) if args.size.isdigit() else args.size, seed=args.seed)
    if args.url:
        counts = load_into(args.url, data)
    else:
        write_drop(args.out, data, args.format)
        counts = {name: len(rows) for name, rows in data.items()}
    print(", ".join(f"{name}={count}" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
