"""Settings of one sandbox instance (the `vtex-sandbox` command line maps onto these)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SandboxConfig:
    account: str = "sandbox"
    app_key: str = "vtexappkey-sandbox-demo"
    app_token: str = "sandbox-token"
    db_path: str | None = None  # SQLite file; None keeps the store in memory
    latency_ms: float = 0.0  # added to every request
    rate_limit_scale: float = 1.0  # multiplies VTEX's documented limits; 0 disables limiting
    fault_5xx: float = 0.0  # probability of a 503 before the request is processed
    fault_429: float = 0.0  # probability of a 429 before the request is processed
    fault_lost_response: float = 0.0  # probability that a write is applied but the response is lost
    seed: int | None = None  # makes faults and simulated orders reproducible
    order_clock: float = 2.0  # seconds from payment approval to ready-for-handling
    cancel_request_share: float = 0.0  # share of simulated orders whose shopper asks to cancel
    duplicate_feed_share: float = 0.0  # share of feed events delivered twice
    fault_image_applied_error: float = 0.0  # SKU file POST applied, then answered 500 (timeout)
    fault_stock_applied_500: float = 0.0  # inventory PUT applied, then answered 500
    fault_inventory_lock: float = 0.0  # probability that an inventory write answers 423 Locked
    case_sensitive_warehouses: bool = False  # warehouse ids case-sensitive, inventory not (known issue)
    bulk_rows_per_second: float = 200.0  # processing rate of bulk price and inventory imports
    bulk_upload_expiry_s: float = 1800.0  # life of a bulk import's upload URL
    bulk_confirm_seconds: float = 0.0  # wall-clock time a batch inventory confirm is in progress
    contract_dir: str | None = None  # folder of VTEX's OpenAPI documents; None checks nothing
    contract_mode: str = "enforce"  # "enforce" refuses violations with 400, "report" only counts
    duplicate_hook_share: float = 0.0  # share of hook notifications delivered twice
    hook_idle_seconds: float = 259_200.0  # a hook without notifications this long is removed (3 days)
    hook_retry_seconds: float = 1.0  # first delay before a failed notification is sent again (doubles)
    hook_concurrency: int = 8  # notifications in flight at once
