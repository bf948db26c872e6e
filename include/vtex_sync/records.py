"""What a plan decides for one record, and the status the id map keeps for it."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What a record needs: the plan's decision, before any call."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    WAITING = "waiting_parent"


class RecordStatus(StrEnum):
    """A record's status in the id map (strings in the state store)."""

    SYNCED = "synced"  # VTEX has what was last pushed
    WAITING_PARENT = "waiting_parent"  # a parent has no VTEX id yet: retried when it lands
    FAILED = "failed"  # the last write failed: retried by the next run
    REMOVED = "removed"  # deleted from the ERP, sent inactive to VTEX
    # an update held back until the record's children are in (a SKU's, for the activation step)
    WAITING_PASS = "waiting_pass"


# statuses an incremental run reads back and retries
PENDING: tuple[RecordStatus, ...] = (
    RecordStatus.WAITING_PARENT, RecordStatus.FAILED, RecordStatus.WAITING_PASS
)
