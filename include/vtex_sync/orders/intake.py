"""Drain the orders feed into the durable inbox: store every event, THEN commit its handle."""

from __future__ import annotations

import logging
import time
from typing import Any

from vtex_provider.exceptions import VtexNotFoundError

log = logging.getLogger(__name__)

MAX_LOT = 10


def drain_feed(ctx: Any, *, time_budget: float = 45.0, max_batches: int | None = None) -> dict[str, int]:
    """Read the feed in lots of 10 until it is empty or the time budget is spent.

    Every event is stored in the inbox (deduplicated on orderId, state, currentChange) before
    its handle is committed; events needing no action are committed too. A crash between the
    two leaves the event uncommitted: VTEX delivers it again and the inbox drops the copy.
    A feed VTEX has expired (404: no event for the retention period) is configured again once;
    the sweep repairs what happened while it was gone.
    """
    oms, state = ctx.clients.oms, ctx.state
    counts = {"read": 0, "stored": 0, "duplicates": 0, "committed": 0, "lots": 0, "restored": 0}
    if ctx.dry_run:
        log.info("feed: dry run, nothing read (reading hides events until committed)")
        return counts
    deadline = time.monotonic() + time_budget
    while time.monotonic() < deadline and (max_batches is None or counts["lots"] < max_batches):
        try:
            items = oms.get_feed(MAX_LOT)
        except VtexNotFoundError:
            if counts["restored"]:
                raise
            restore_feed(ctx)
            counts["restored"] += 1
            continue
        if not items:
            break
        counts["lots"] += 1
        counts["read"] += len(items)
        for item in items:
            event = item.model_dump(mode="json", by_alias=True, exclude={"handle"}, exclude_none=True)
            if state.inbox_add(ctx.account, event):
                counts["stored"] += 1
            else:
                counts["duplicates"] += 1
        counts["committed"] += oms.commit_feed([item.handle for item in items])
    log.info("feed: read %s | stored %s | duplicates %s | committed %s in %s lots",
             *(f"{counts[k]:,}" for k in ("read", "stored", "duplicates", "committed", "lots")))
    return counts


def restore_feed(ctx: Any) -> None:
    from vtex_sync.orders.feed_config import configure_feed

    log.warning("feed: VTEX has no feed configuration for this app key (it expires one that received "
                "no event for its retention period): configuring it again")
    configure_feed(ctx)
