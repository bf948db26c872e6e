"""A back office at work on the catalog: the ERP changes the live demo makes, one `step(now)` at a time.

Every step moves a few prices and stock levels and edits a customer; every few steps it edits a
product's description, adds a SKU to a product (with its specifications, image, price and
stock), deactivates a SKU (and reactivates the one it deactivated before), adds a customer,
and now and then writes a bad row (a negative stock quantity) that it corrects a few steps later, so
the quarantine shows what a bad ERP row looks like and how it clears. All writes carry
``updated_at = now``, so the incremental syncs pick them up.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from vtex_demo.generator import COLOURS, IMAGE_HOST, SIZES_TEXT, cpf, ean13, money
from vtex_sync.erp.sql import SqlErp


def _rows(erp: SqlErp, table: str) -> list[dict[str, Any]]:
    return [row for chunk in erp.read(table) for row in chunk]


@dataclass
class CatalogChanges:
    """Makes ERP changes on a `SqlErp` holding the demo data (only inbound tables are touched)."""

    erp: SqlErp
    seed: int = 0
    prices_per_step: int = 2
    stock_per_step: int = 3
    every: int = 3  # product edits, new SKUs, deactivations and bad rows: one kind every `every` steps
    steps: int = 0
    deactivated: str | None = None
    bad_stock: dict[str, Any] | None = None
    bad_for: int = 9  # steps a bad row stays before the ERP corrects it (seen by a few syncs)
    bad_since: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"changes:{self.seed}")

    def step(self, now: datetime) -> dict[str, int]:
        """Make this step's changes; returns what changed (counts)."""
        self.steps += 1
        done: Counter[str] = Counter()
        self._fix_bad_row(now, done)
        self._prices(now, done)
        self._stock(now, done)
        self._edit_customer(now, done)
        if self.steps % self.every == 0:
            kind = (self._edit_product, self._new_sku, self._deactivate, self._new_customer,
                    self._bad_row)[(self.steps // self.every - 1) % 5]
            kind(now, done)
        return dict(done)

    def _prices(self, now: datetime, done: Counter[str]) -> None:
        rows = [r for r in _rows(self.erp, "prices") if r["active"]]
        changed = []
        for row in self.rng.sample(rows, min(self.prices_per_step, len(rows))):
            factor = Decimal(str(round(self.rng.uniform(0.92, 1.08), 3)))
            base = money(float(Decimal(row["base_price"]) * factor))
            listed = money(float(base) * 1.25) if row["list_price"] is not None else None
            changed.append({**row, "base_price": base, "list_price": listed, "updated_at": now})
        done["prices"] += self.erp.upsert_rows("prices", changed)

    def _stock(self, now: datetime, done: Counter[str]) -> None:
        rows = [r for r in _rows(self.erp, "stock") if not r["unlimited"] and r["active"]]
        changed = [{**row, "quantity": self.rng.randint(1, 150), "updated_at": now}
                   for row in self.rng.sample(rows, min(self.stock_per_step, len(rows)))]
        done["stock"] += self.erp.upsert_rows("stock", changed)

    def _edit_customer(self, now: datetime, done: Counter[str]) -> None:
        rows = _rows(self.erp, "customers")
        if rows:
            row = self.rng.choice(rows)
            phone = f"+55119{self.rng.randrange(10**8):08d}"
            edited = {**row, "phone": phone, "updated_at": now}
            done["customers"] += self.erp.upsert_rows("customers", [edited])

    def _edit_product(self, now: datetime, done: Counter[str]) -> None:
        row = self.rng.choice(_rows(self.erp, "products"))
        text = f"{row['name']}: new season edition, revised on {now:%Y-%m-%d %H:%M} UTC."
        edited = {**row, "description": text, "updated_at": now}
        done["products"] += self.erp.upsert_rows("products", [edited])

    def _new_sku(self, now: datetime, done: Counter[str]) -> None:
        skus = _rows(self.erp, "skus")
        specs = _rows(self.erp, "sku_specifications")
        product = self.rng.choice(_rows(self.erp, "products"))
        ref = product["ref_id"]
        siblings = [s for s in skus if s["product_ref_id"] == ref]
        used = {(s["sku_ref_id"], s["field_code"]): s["value_code"] for s in specs}
        taken = {(used.get((s["ref_id"], "F-COLOUR")), used.get((s["ref_id"], "F-SIZE"))) for s in siblings}
        free = [(c, z) for c in COLOURS for z in SIZES_TEXT
                if (f"F-COLOUR-{c.upper()}", f"F-SIZE-{z}") not in taken]
        if not free or not siblings:
            return
        colour, size = self.rng.choice(free)
        number = max(int(s["ref_id"].rsplit("-", 1)[1]) for s in siblings) + 1
        sku = f"{ref}-{number:02d}"
        template = siblings[0]
        self.erp.upsert_rows("skus", [{
            **template, "ref_id": sku, "ean": ean13(self.rng), "name": f"{product['name']} {colour} {size}",
            "manufacturer_code": f"MC-{sku}", "active": True, "updated_at": now}])
        self.erp.upsert_rows("sku_specifications", [
            {"sku_ref_id": sku, "field_code": "F-COLOUR", "value_code": f"F-COLOUR-{colour.upper()}",
             "active": True, "updated_at": now},
            {"sku_ref_id": sku, "field_code": "F-SIZE", "value_code": f"F-SIZE-{size}", "active": True,
             "updated_at": now},
        ])
        self.erp.upsert_rows("sku_images", [{
            "sku_ref_id": sku, "position": 1, "url": f"{IMAGE_HOST}/{ref}/{sku}-1.jpg", "label": colour,
            "name": f"{sku}-1", "is_main": True, "active": True, "updated_at": now}])
        price = next((p for p in _rows(self.erp, "prices") if p["sku_ref_id"] == template["ref_id"]), None)
        base = Decimal(price["base_price"]) if price else Decimal("99.90")
        self.erp.upsert_rows("prices", [{"sku_ref_id": sku, "base_price": base, "list_price": None,
                                         "cost_price": money(float(base) * 0.55), "active": True,
                                         "updated_at": now}])
        self.erp.upsert_rows("stock", [
            {"sku_ref_id": sku, "warehouse_code": wh, "quantity": self.rng.randint(5, 60), "unlimited": False,
             "lead_time": "00:00:00", "active": True, "updated_at": now} for wh in ("WH-SP", "WH-RJ")])
        done["new_skus"] += 1

    def _deactivate(self, now: datetime, done: Counter[str]) -> None:
        skus = {s["ref_id"]: s for s in _rows(self.erp, "skus")}
        if self.deactivated in skus:
            self.erp.upsert_rows("skus", [{**skus[self.deactivated], "active": True, "updated_at": now}])
            done["reactivated_skus"] += 1
        candidates = sorted(k for k, s in skus.items() if s["active"] and k != self.deactivated)
        if candidates:
            self.deactivated = self.rng.choice(candidates)
            self.erp.upsert_rows("skus", [{**skus[self.deactivated], "active": False, "updated_at": now}])
            done["deactivated_skus"] += 1

    def _new_customer(self, now: datetime, done: Counter[str]) -> None:
        rows = _rows(self.erp, "customers")
        number = len(rows) + 1
        code = f"C{number:04d}"
        template = self.rng.choice(rows)
        self.erp.upsert_rows("customers", [{
            **template, "code": code, "email": f"customer{number}@example.com",
            "document": cpf(self.rng), "phone": f"+55119{self.rng.randrange(10**8):08d}",
            "updated_at": now}])
        done["new_customers"] += 1

    def _bad_row(self, now: datetime, done: Counter[str]) -> None:
        rows = [r for r in _rows(self.erp, "stock") if not r["unlimited"] and r["active"]]
        if rows:
            row = self.rng.choice(rows)
            self.bad_stock, self.bad_since = row, self.steps
            self.erp.upsert_rows("stock", [{**row, "quantity": -5, "updated_at": now}])
            done["bad_rows"] += 1

    def _fix_bad_row(self, now: datetime, done: Counter[str]) -> None:
        if self.bad_stock is not None and self.steps - self.bad_since >= self.bad_for:
            self.erp.upsert_rows("stock", [{**self.bad_stock, "quantity": 10, "updated_at": now}])
            self.bad_stock = None
            done["fixed_rows"] += 1
