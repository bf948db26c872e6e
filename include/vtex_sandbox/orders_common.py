"""Small pieces the order-side routers share: the sandbox clock, timestamps, errors, randomness."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import Request

from vtex_sandbox.errors import VtexError
from vtex_sandbox.store import Store

CLOCK_KIND = "orders_clock"

STATUS_DESCRIPTIONS = {
    "order-created": "Processando",
    "payment-pending": "Pagamento Pendente",
    "payment-approved": "Pagamento Aprovado",
    "window-to-cancel": "Carência para Cancelamento",
    "ready-for-handling": "Pronto para o manuseio",
    "start-handling": "Iniciar Manuseio",
    "handling": "Preparando Entrega",
    "invoice": "Verificando Fatura",
    "invoiced": "Faturado",
    "cancellation-requested": "Cancelamento Solicitado",
    "cancel": "Cancelando",
    "canceled": "Cancelado",
}

# Statuses in which VTEX accepts order changes (order-system API).
CHANGEABLE_STATUSES = ("handling", "waiting-for-fulfillment", "ready-for-invoicing")


def clock_offset(store: Store) -> float:
    doc = store.get(CLOCK_KIND, "offset")
    return float(doc["seconds"]) if doc else 0.0


def advance_clock(store: Store, seconds: float) -> float:
    """Move the sandbox's order clock forward (retention and status timers follow it)."""
    offset = clock_offset(store) + seconds
    store.put(CLOCK_KIND, "offset", {"seconds": offset})
    return offset


def sandbox_now(store: Store) -> float:
    """Epoch seconds as the order side sees them: wall clock plus the admin offset."""
    return time.time() + clock_offset(store)


def iso(ts: float, zulu: bool = False) -> str:
    """VTEX timestamp with 7 fractional digits (``Z`` for the feed, ``+00:00`` in orders)."""
    text = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"
    return text + ("Z" if zulu else "+00:00")


def parse_iso(text: str) -> float:
    """Epoch seconds of an ISO timestamp (naive ones are taken as UTC)."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def oms_error(status: int, code: str, message: str) -> VtexError:
    """Raise it: VTEX's ``{"error": {code, message, exception}}`` answer (rolls back the book)."""
    return VtexError(status, message, code)


def order_not_found(order_id: str) -> VtexError:
    return oms_error(404, "OMS001", f"Order {order_id} not found")


def orders_rng(request: Request) -> random.Random:
    """The order side's own seeded generator, so faults drawn elsewhere don't shift the orders."""
    state = request.app.state
    rng = getattr(state, "orders_rng", None)
    if rng is None:
        seed = getattr(state.config, "seed", None)
        rng = random.Random(None if seed is None else f"orders-{seed}")
        state.orders_rng = rng
    return rng


def cents(value: Any) -> int:
    """Decimal money (Pricing API) to integer cents (OMS)."""
    return round(float(value) * 100)
