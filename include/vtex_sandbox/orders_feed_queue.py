"""The orders feed v3 queue: its configuration and its messages, kept in the document store.

Each message is one document (kind ``feed_messages``); a compact index document maps every
message key to ``[visible_at, created_at]`` so a read never decodes the whole queue. Load a
queue inside ``store.transaction()``, work on it, then ``save()``.
"""

from __future__ import annotations

import base64
import random
import uuid
from typing import Any

from vtex_sandbox.orders_common import iso
from vtex_sandbox.store import Store

CONFIG_KIND = "feed_config"
MESSAGE_KIND = "feed_messages"
INDEX_KIND = "feed_index"
MAIN = "main"
EVENT_FIELDS = ("eventId", "domain", "state", "lastState", "orderId", "lastChange", "currentChange")


def encode_handle(key: str, token: str) -> str:
    return base64.urlsafe_b64encode(f"{key}.{token}".encode()).decode().rstrip("=")


def decode_handle(handle: str) -> tuple[str, str] | None:
    try:
        padded = handle + "=" * (-len(handle) % 4)
        key, token = base64.urlsafe_b64decode(padded.encode()).decode().split(".", 1)
    except (ValueError, UnicodeDecodeError):
        return None
    return key, token


class FeedQueue:
    """The one feed of the sandbox's app key (VTEX keeps one feed per app key)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.config: dict[str, Any] | None = store.get(CONFIG_KIND, MAIN)
        self._entries: dict[str, list[float]] | None = None

    @property
    def entries(self) -> dict[str, list[float]]:
        if self._entries is None:
            doc = self.store.get(INDEX_KIND, MAIN)
            self._entries = doc["entries"] if doc else {}
        return self._entries

    def save(self) -> None:
        if self._entries is not None:
            self.store.put(INDEX_KIND, MAIN, {"entries": self._entries})

    # configuration -------------------------------------------------------------------------

    def configure(self, config: dict[str, Any], now: float) -> None:
        """Create or replace the configuration; queued messages stay."""
        self.config = {**config, "lastEventAt": now}
        self.store.put(CONFIG_KIND, MAIN, self.config)

    def current(self, now: float) -> dict[str, Any] | None:
        """The configuration, unless it expired: VTEX deletes a feed's configuration when no event
        reached it for a whole retention period (reads then answer 404 until it is set again)."""
        if self.config is None:
            return None
        retention = self.config["queue"]["MessageRetentionPeriodInSeconds"]
        if now - self.config.get("lastEventAt", now) > retention:
            self.expire(now - retention)
            self.remove_config()
        return self.config

    def remove_config(self) -> bool:
        self.config = None
        return self.store.delete(CONFIG_KIND, MAIN)

    def matches(self, state: str) -> bool:
        if self.config is None:
            return False
        flt = self.config["filter"]
        if flt["type"] == "FromOrders":
            return True  # JSONata is not evaluated: every order change matches
        return not flt.get("status") or state in flt["status"]

    # messages ------------------------------------------------------------------------------

    def publish(self, event: dict[str, Any], now: float, duplicate_share: float, rng: random.Random) -> int:
        """Queue one event if the filter wants it (sometimes twice, like VTEX). Returns copies queued."""
        if self.current(now) is None or not self.matches(event["state"]):
            return 0
        copies = 2 if duplicate_share > 0 and rng.random() < duplicate_share else 1
        for _ in range(copies):
            key = f"{self.store.next_id(MESSAGE_KIND):012d}"
            message = {**event, "eventId": uuid.uuid4().hex.upper(), "domain": "Fulfillment", "token": ""}
            self.store.put(MESSAGE_KIND, key, message)
            self.entries[key] = [now, now]
        assert self.config is not None
        self.config["lastEventAt"] = now
        self.store.put(CONFIG_KIND, MAIN, self.config)
        return copies

    def receive(self, maxlot: int, now: float) -> list[dict[str, Any]]:
        """Up to ``maxlot`` visible messages, hidden for the visibility timeout from now on."""
        assert self.config is not None, "receive needs a configured feed"
        queue = self.config["queue"]
        self.expire(now - queue["MessageRetentionPeriodInSeconds"])
        items: list[dict[str, Any]] = []
        for key, (visible_at, _created) in self.entries.items():
            if len(items) == maxlot:
                break
            if visible_at > now:
                continue
            message = self.store.get(MESSAGE_KIND, key)
            if message is None:
                continue
            message["token"] = uuid.uuid4().hex
            self.store.put(MESSAGE_KIND, key, message)
            self.entries[key][0] = now + queue["visibilityTimeoutInSeconds"]
            handle = encode_handle(key, message["token"])
            items.append({**{f: message[f] for f in EVENT_FIELDS}, "handle": handle})
        return items

    def commit(self, handles: list[str]) -> int:
        """Delete the messages these handles were issued for; unknown or stale handles are ignored."""
        removed = 0
        for handle in handles:
            decoded = decode_handle(handle) if isinstance(handle, str) else None
            if decoded is None:
                continue
            key, token = decoded
            message = self.store.get(MESSAGE_KIND, key)
            if message is not None and message["token"] == token:
                self._remove(key)
                removed += 1
        return removed

    def expire(self, created_before: float) -> None:
        for key in [k for k, (_v, created) in self.entries.items() if created <= created_before]:
            self._remove(key)

    def drop_all(self) -> int:
        """Lose every queued message (sandbox knob for testing the list-orders sweep)."""
        keys = list(self.entries)
        for key in keys:
            self._remove(key)
        return len(keys)

    def _remove(self, key: str) -> None:
        self.store.delete(MESSAGE_KIND, key)
        self.entries.pop(key, None)

    def describe(self, now: float) -> dict[str, Any]:
        """The GET config answer: filter, queue, message count and age of the oldest message."""
        assert self.config is not None
        oldest = min((created for _v, created in self.entries.values()), default=None)
        queue = self.config["queue"]
        return {
            "filter": self.config["filter"],
            "queue": {
                "visibilityTimeoutInSeconds": queue["visibilityTimeoutInSeconds"],
                "messageRetentionPeriodInSeconds": queue["MessageRetentionPeriodInSeconds"],
            },
            "quantity": len(self.entries),
            "approximateAgeOfOldestMessageInSeconds": 0 if oldest is None else int(now - oldest),
        }


def status_event(order_id: str, state: str, last_state: str, last_change: float, current: float) -> dict:
    """The feed fields of one status change."""
    return {
        "orderId": order_id,
        "state": state,
        "lastState": last_state,
        "lastChange": iso(last_change, zulu=True),
        "currentChange": iso(current, zulu=True),
    }
