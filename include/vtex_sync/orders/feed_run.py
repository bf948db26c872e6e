"""One run of the feed DAG: drain the feed and work through the inbox at the same time.

The drain stores events in the inbox while the processing claims them, so the first orders of a
burst reach the ERP while the feed is still being read. Processing stops once the drain is over
and a claim comes back empty (or the time budget is spent); quarantined orders are retried once
at the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

from vtex_sync.orders.intake import drain_feed
from vtex_sync.orders.processing import process_inbox, retry_quarantined

log = logging.getLogger(__name__)

IDLE_WAIT_SECONDS = 0.2


def process_until_empty(ctx: Any, *, time_budget: float, still_filling: threading.Event | None = None,
                        linger_seconds: float = 0.0, **claims: Any) -> dict[str, int]:
    """Claim and handle inbox events until none is left (and, if given, `still_filling` is clear),
    then keep looking for `linger_seconds` more: events of a burst are taken without a new run."""
    from vtex_sync.db import utcnow

    started = utcnow()
    deadline = time.monotonic() + time_budget
    counts: Counter[str] = Counter()
    idle_since: float | None = None
    while (remaining := deadline - time.monotonic()) > 0:
        round_ = process_inbox(ctx, time_budget=remaining, retry_quarantine=False, **claims)
        counts.update(round_)
        if round_["claimed"]:
            idle_since = None
            continue
        idle_since = idle_since or time.monotonic()
        filling = still_filling is not None and still_filling.is_set()
        if not filling and time.monotonic() - idle_since >= linger_seconds:
            break
        time.sleep(IDLE_WAIT_SECONDS)
    if not ctx.dry_run:
        counts.update({f"quarantine_{k}": v for k, v in retry_quarantined(ctx, before=started).items()})
    return dict(counts)


def drain_and_process(ctx: Any, *, feed_seconds: float = 45.0, process_seconds: float = 240.0,
                      **claims: Any) -> dict[str, dict[str, int]]:
    """Drain the feed in a thread while this thread processes the inbox; both summaries."""
    draining = threading.Event()
    draining.set()
    intake: dict[str, Any] = {}

    def drain() -> None:
        try:
            intake.update(drain_feed(ctx, time_budget=feed_seconds))
        except BaseException as exc:  # reported by the caller after processing what was stored
            intake["error"] = exc
        finally:
            draining.clear()

    drainer = threading.Thread(target=drain, name="feed-drain", daemon=True)
    drainer.start()
    inbox = process_until_empty(ctx, time_budget=process_seconds, still_filling=draining, **claims)
    drainer.join()
    if "error" in intake:
        raise intake["error"]
    log.info("feed run: read %s | stored %s | processed %s", intake.get("read", 0), intake.get("stored", 0),
             inbox.get("claimed", 0))
    return {"feed": intake, "inbox": inbox}
