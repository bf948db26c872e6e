"""The integration's own memory: id map, create intents and leases, watermarks, quarantine,
order inbox, write-back log and run summaries (see docs/state-store.md)."""

from __future__ import annotations

from vtex_sync.state.factory import DEFAULT_STATE_URL, state_store_from_connection
from vtex_sync.state.leases import CreateLeaseTimeout, Lease
from vtex_sync.state.store import (
    Binding,
    InboxEvent,
    Intent,
    OrderLockTimeout,
    QuarantineRecord,
    RunRecord,
    StateStore,
    event_key_of,
)

__all__ = [
    "DEFAULT_STATE_URL",
    "Binding",
    "CreateLeaseTimeout",
    "InboxEvent",
    "Intent",
    "Lease",
    "OrderLockTimeout",
    "QuarantineRecord",
    "RunRecord",
    "StateStore",
    "event_key_of",
    "state_store_from_connection",
]
