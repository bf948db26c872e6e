"""Configure the orders feed v3 for this integration and show its state."""

from __future__ import annotations

import logging
from typing import Any

from vtex_provider.models.oms import FeedConfig, FeedFilter, FeedQueue
from vtex_sync.orders.statuses import FEED_STATUSES

log = logging.getLogger(__name__)

VISIBILITY_TIMEOUT_SECONDS = 300
RETENTION_SECONDS = 604_800  # 7 days: a long outage still loses nothing (VTEX's minimum is 4 days)


def desired_config(
    visibility_timeout: int = VISIBILITY_TIMEOUT_SECONDS, retention: int = RETENTION_SECONDS
) -> FeedConfig:
    return FeedConfig(
        filter=FeedFilter(type="FromWorkflow", status=list(FEED_STATUSES)),
        queue=FeedQueue(
            visibilityTimeoutInSeconds=visibility_timeout, message_retention_period_in_seconds=retention
        ),
    )


def configure_feed(
    ctx: Any, *, visibility_timeout: int = VISIBILITY_TIMEOUT_SECONDS, retention: int = RETENTION_SECONDS
) -> dict[str, Any]:
    """Create or replace the feed configuration of this app key (FromWorkflow, our statuses)."""
    config = desired_config(visibility_timeout, retention)
    if ctx.dry_run:
        log.info("feed config: dry run, would set %s", config.to_body())
    else:
        ctx.clients.oms.set_feed_config(config)
        log.info("feed config set: statuses %s | visibility %ss | retention %ss",
                 ", ".join(FEED_STATUSES), visibility_timeout, retention)
    return show_feed_config(ctx)


def show_feed_config(ctx: Any) -> dict[str, Any]:
    """The current configuration with queued message count, or ``{"configured": False}``."""
    current = ctx.clients.oms.get_feed_config()
    if current is None:
        log.info("feed config: none for this app key")
        return {"configured": False}
    summary = {
        "configured": True,
        "type": current.filter.type,
        "statuses": current.filter.status or [],
        "missing_statuses": sorted(set(FEED_STATUSES) - set(current.filter.status or [])),
        "visibility_timeout": current.queue.visibility_timeout_in_seconds,
        "retention": current.queue.message_retention_period_in_seconds,
        "quantity": current.quantity,
        "oldest_message_age": current.approximate_age_of_oldest_message_in_seconds,
    }
    log.info("feed config: %s | %s statuses | %s queued | oldest %ss", summary["type"],
             len(summary["statuses"]), summary["quantity"], summary["oldest_message_age"])
    return summary
