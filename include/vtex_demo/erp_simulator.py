"""A small back office for the demo: it works the ERP order tables like a real ERP would.

Each `step(now)`:
1. gives new sales orders an ERP order code;
2. answers shoppers' cancellation requests (accept before invoicing, deny after);
3. occasionally cancels an order itself, or removes an out-of-stock item (an order change);
4. invoices orders a while after they arrived (full value, minus removed items);
5. ships invoiced orders with tracking, then moves tracking along until delivery.

Every decision about an order is drawn from a generator seeded with (seed, order id), so a run
is reproducible whatever order the steps see the orders in.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from vtex_sync.erp.schema import (
    invoice_items,
    invoices,
    order_cancellations,
    order_changes,
    sales_order_lines,
    sales_orders,
    shipments,
    tracking_events,
)
from vtex_sync.erp.sql import SqlErp

CARRIERS = ("Correios", "Jadlog", "Loggi")
TRACKING_STEPS = ("Collected by carrier", "In transit", "Out for delivery")


@dataclass
class StepReport:
    coded: int = 0
    invoiced: int = 0
    shipped: int = 0
    tracking_events: int = 0
    delivered: int = 0
    changes: int = 0
    erp_cancellations: int = 0
    cancellations_answered: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ErpSimulator:
    """Plays the ERP for orders on a `SqlErp` (only ERP tables are touched)."""

    erp: SqlErp
    seed: int = 0
    invoice_after: timedelta = timedelta(minutes=2)
    ship_after: timedelta = timedelta(minutes=5)
    tracking_every: timedelta = timedelta(minutes=10)
    change_rate: float = 0.1
    cancel_rate: float = 0.05
    def _invoice_key(self, order_id: str) -> str:
        """A deterministic 44-digit access key, like a Brazilian NF-e's."""
        digest = hashlib.sha256(f"{self.seed}:{order_id}".encode()).hexdigest()
        return f"{int(digest, 16) % 10**44:044d}"

    def _rng(self, order_id: str, purpose: str) -> random.Random:
        return random.Random(f"{self.seed}:{order_id}:{purpose}")

    def step(self, now: datetime) -> dict[str, int]:
        """Advance the back office to `now`; returns what it did (counts)."""
        report = StepReport()
        with self.erp.engine.begin() as conn:
            self._assign_codes(conn, now, report)
            self._answer_cancellations(conn, now, report)
            self._erp_decisions(conn, now, report)
            self._invoice(conn, now, report)
            self._ship_and_track(conn, now, report)
        return report.as_dict()

    # ------------------------------------------------------------------ steps
    def _assign_codes(self, conn: Any, now: datetime, report: StepReport) -> None:
        so = sales_orders.c
        new = conn.execute(select(so.vtex_order_id).where(so.erp_order_code.is_(None))
                           .order_by(so.received_at, so.vtex_order_id)).scalars().all()
        if not new:
            return
        taken = conn.execute(select(func.count()).where(so.erp_order_code.isnot(None))).scalar_one()
        for number, order_id in enumerate(new, taken + 1):
            conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == order_id)
                         .values(erp_order_code=f"SO{number:07d}", updated_at=now))
            report.coded += 1

    def _answer_cancellations(self, conn: Any, now: datetime, report: StepReport) -> None:
        requests = conn.execute(select(order_cancellations.c.vtex_order_id).where(
            order_cancellations.c.decided_by == "shopper", order_cancellations.c.decision.is_(None)
        )).scalars().all()
        for order_id in requests:
            invoiced = conn.execute(select(func.count()).select_from(invoices)
                                    .where(invoices.c.vtex_order_id == order_id)).scalar_one() > 0
            decision = "deny" if invoiced else "accept"
            this_order = order_cancellations.c.vtex_order_id == order_id
            conn.execute(update(order_cancellations).where(this_order).values(
                decision=decision, sync_status="pending", updated_at=now,
                reason="already invoiced" if invoiced else "shopper request accepted",
            ))
            conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == order_id).values(
                status="canceled" if decision == "accept" else "invoiced", updated_at=now))
            report.cancellations_answered += 1

    def _received_orders(self, conn: Any, now: datetime) -> list[Any]:
        return conn.execute(select(sales_orders).where(
            sales_orders.c.status == "received", sales_orders.c.received_at <= now - self.invoice_after
        ).order_by(sales_orders.c.received_at, sales_orders.c.vtex_order_id)).all()

    def _lines(self, conn: Any, order_id: str) -> list[Any]:
        return conn.execute(select(sales_order_lines).where(sales_order_lines.c.vtex_order_id == order_id)
                            .order_by(sales_order_lines.c.line_no)).all()

    def _erp_decisions(self, conn: Any, now: datetime, report: StepReport) -> None:
        """Once per order: maybe cancel it, maybe remove one unit of an item that ran out."""
        for order in self._received_orders(conn, now):
            order_id = order.vtex_order_id
            decided = conn.execute(select(func.count()).select_from(order_changes)
                                   .where(order_changes.c.vtex_order_id == order_id)).scalar_one()
            cancel_row = conn.execute(select(order_cancellations.c.vtex_order_id)
                                      .where(order_cancellations.c.vtex_order_id == order_id)).first()
            if decided or cancel_row:
                continue
            rng = self._rng(order_id, "decisions")
            roll = rng.random()
            if roll < self.cancel_rate:
                conn.execute(order_cancellations.insert().values(
                    vtex_order_id=order_id, reason="Payment not confirmed by the back office",
                    decided_by="erp", decision="accept", sync_status="pending", updated_at=now))
                conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == order_id)
                             .values(status="canceled", updated_at=now))
                report.erp_cancellations += 1
                continue
            lines = self._lines(conn, order_id)
            if roll < self.cancel_rate + self.change_rate and sum(line.quantity for line in lines) > 1:
                line = rng.choice(lines)
                conn.execute(order_changes.insert().values(
                    change_code=f"CHG-{order.erp_order_code or order_id}-1", vtex_order_id=order_id,
                    reason="Item out of stock",
                    items=json.dumps([{"sku_ref_id": line.sku_ref_id, "quantity": 1, "op": "remove"}]),
                    sync_status="pending", updated_at=now))
                report.changes += 1

    def _invoice(self, conn: Any, now: datetime, report: StepReport) -> None:
        for order in self._received_orders(conn, now):
            order_id = order.vtex_order_id
            change = conn.execute(select(order_changes)
                                  .where(order_changes.c.vtex_order_id == order_id)).first()
            if change is not None and change.sync_status == "pending":
                continue  # invoice only once VTEX knows about the change
            removed: Counter[str] = Counter()
            if change is not None and change.sync_status != "failed":
                for item in json.loads(change.items):
                    removed[item["sku_ref_id"]] += item["quantity"] if item["op"] == "remove" else 0
            items, removed_value = [], 0
            for line in self._lines(conn, order_id):
                dropped = min(removed.pop(line.sku_ref_id, 0), line.quantity)
                removed_value += dropped * line.unit_price_cents
                if line.quantity - dropped > 0:
                    items.append({"sku_ref_id": line.sku_ref_id, "quantity": line.quantity - dropped,
                                  "unit_price_cents": line.unit_price_cents})
            number = f"NF-{order.erp_order_code or order_id}-1"
            conn.execute(invoices.insert().values(
                vtex_order_id=order_id, invoice_number=number, type="Output",
                value_cents=order.total_cents - removed_value, issued_at=now,
                invoice_key=self._invoice_key(order_id),
                invoice_url=None, courier=None, tracking_number=None, tracking_url=None,
                sync_status="pending", updated_at=now))
            merged: dict[str, dict] = {}
            for item in items:
                if item["sku_ref_id"] in merged:
                    merged[item["sku_ref_id"]]["quantity"] += item["quantity"]
                else:
                    merged[item["sku_ref_id"]] = dict(item)
            if merged:
                conn.execute(invoice_items.insert(), [
                    {"vtex_order_id": order_id, "invoice_number": number, **item} for item in merged.values()
                ])
            conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == order_id)
                         .values(status="invoiced", updated_at=now))
            report.invoiced += 1

    def _ship_and_track(self, conn: Any, now: datetime, report: StepReport) -> None:
        same_order = sales_orders.c.vtex_order_id == invoices.c.vtex_order_id
        ready = conn.execute(select(invoices).join(sales_orders, same_order).where(
            sales_orders.c.status == "invoiced", invoices.c.issued_at <= now - self.ship_after
        )).all()
        for inv in ready:
            rng = self._rng(inv.vtex_order_id, "shipping")
            carrier = rng.choice(CARRIERS)
            tracking = f"{carrier[:2].upper()}{rng.randrange(10**9):09d}BR"
            conn.execute(shipments.insert().values(
                vtex_order_id=inv.vtex_order_id, invoice_number=inv.invoice_number, carrier=carrier,
                tracking_number=tracking, tracking_url=f"https://tracking.example.com/{tracking}",
                dispatched_at=now, delivered=False, delivered_at=None, sync_status="pending", updated_at=now))
            conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == inv.vtex_order_id)
                         .values(status="shipped", updated_at=now))
            report.shipped += 1
        moving = conn.execute(select(shipments).where(shipments.c.delivered.is_(False),
                                                      shipments.c.dispatched_at.isnot(None))).all()
        for ship in moving:
            key = (tracking_events.c.vtex_order_id == ship.vtex_order_id,
                   tracking_events.c.invoice_number == ship.invoice_number)
            last = conn.execute(select(func.max(tracking_events.c.seq), func.max(tracking_events.c.event_at))
                                .where(*key)).one()
            seq, last_at = (last[0] or 0), (last[1] or ship.dispatched_at)
            if seq and now - last_at < self.tracking_every:
                continue
            delivered = seq >= len(TRACKING_STEPS)
            conn.execute(tracking_events.insert().values(
                vtex_order_id=ship.vtex_order_id, invoice_number=ship.invoice_number, seq=seq + 1,
                city="São Paulo", state="SP", description="Delivered" if delivered else TRACKING_STEPS[seq],
                event_at=now))
            values: dict[str, Any] = {"sync_status": "pending", "updated_at": now}
            if delivered:
                values |= {"delivered": True, "delivered_at": now}
                conn.execute(update(sales_orders).where(sales_orders.c.vtex_order_id == ship.vtex_order_id)
                             .values(status="delivered", updated_at=now))
                report.delivered += 1
            conn.execute(update(shipments).where(
                shipments.c.vtex_order_id == ship.vtex_order_id,
                shipments.c.invoice_number == ship.invoice_number,
            ).values(**values))
            report.tracking_events += 1
