"""VTEX order statuses the order flow acts on (constants only)."""

from __future__ import annotations

from enum import StrEnum

READY = "ready-for-handling"
CANCEL_REQUESTS = frozenset({"cancellation-requested", "request-cancel"})
CANCELED = frozenset({"cancel", "canceled"})
INVOICED = frozenset({"invoice", "invoiced"})

# statuses an order passes after VTEX handed it to the ERP; such an order belongs in the ERP
HANDED_OVER = frozenset({
    READY, "start-handling", "handling", "waiting-for-fulfillment", "ready-for-invoicing",
    "invoice", "invoiced", "invoice-after-cancellation-deny", *CANCEL_REQUESTS,
})

# what the feed is configured to deliver: the statuses the flow acts on or follows
FEED_STATUSES: tuple[str, ...] = (
    READY, "cancellation-requested", "request-cancel", "invoice-after-cancellation-deny",
    "cancel", "canceled", "invoice", "invoiced",
)

# ERP write-back kinds, in the order they run (a change lands before the invoice that follows it)
FULFILLMENT_KINDS: tuple[str, ...] = ("cancellations", "changes", "invoices", "shipments")


class ChangeStatus(StrEnum):
    """An order change request's workflow status, in VTEX's documented order (Orders API, Change v2)."""

    WAITING_ACKNOWLEDGEMENT = "waiting-acknowledgement"
    WAITING_CONFIRMATION = "waiting-confirmation"
    DONE = "done"
    CANCELED = "canceled"


IN_PROGRESS = frozenset({ChangeStatus.WAITING_ACKNOWLEDGEMENT, ChangeStatus.WAITING_CONFIRMATION})
