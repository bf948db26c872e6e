"""``vtex-sandbox``: run the local VTEX sandbox server."""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Sequence

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.contract_stats import ContractMode

KEY_ENV = "VTEX_SANDBOX_APP_KEY"
TOKEN_ENV = "VTEX_SANDBOX_APP_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog="vtex-sandbox", description="A local server that behaves like VTEX."
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1")
    add("--port", type=int, default=8900)
    add("--account", default=defaults.account)
    add("--app-key", default=None, help=f"default: ${KEY_ENV} or the demo key")
    add("--app-token", default=None, help=f"default: ${TOKEN_ENV} or the demo token")
    add("--db", default=None, metavar="PATH", help="SQLite file that keeps state across restarts")
    add("--latency-ms", type=float, default=defaults.latency_ms)
    add("--rate-limit-scale", type=float, default=defaults.rate_limit_scale, help="0 disables rate limits")
    add("--fault-5xx", type=float, default=defaults.fault_5xx, metavar="P")
    add("--fault-429", type=float, default=defaults.fault_429, metavar="P")
    add("--fault-lost-response", type=float, default=defaults.fault_lost_response, metavar="P")
    add("--fault-image-applied-error", type=float, default=defaults.fault_image_applied_error, metavar="P",
        help="SKU image POST applied but answered 500 (a blind retry duplicates the image)")
    add("--fault-stock-applied-500", type=float, default=defaults.fault_stock_applied_500, metavar="P",
        help="inventory PUT applied but answered 500")
    add("--fault-inventory-lock", type=float, default=defaults.fault_inventory_lock, metavar="P",
        help="inventory writes answer 423 Locked")
    add("--case-sensitive-warehouses", action="store_true",
        help="warehouse ids are case-sensitive but inventory is not (VTEX known issue)")
    add("--bulk-rows-per-second", type=float, default=defaults.bulk_rows_per_second, metavar="N")
    add("--bulk-upload-expiry", type=float, default=defaults.bulk_upload_expiry_s, metavar="S",
        help="seconds a bulk import's upload URL stays valid")
    add("--bulk-confirm-seconds", type=float, default=defaults.bulk_confirm_seconds, metavar="S",
        help="seconds a batch inventory confirm stays in progress (a parallel one answers 423)")
    add("--seed", type=int, default=None)
    add("--order-clock", type=float, default=defaults.order_clock, metavar="S")
    add("--cancel-request-share", type=float, default=defaults.cancel_request_share, metavar="P")
    add("--duplicate-feed-share", type=float, default=defaults.duplicate_feed_share, metavar="P")
    add("--contract", default=None, metavar="DIR",
        help="check every request against VTEX's OpenAPI documents (*.json) in DIR")
    add("--contract-mode", default=defaults.contract_mode, choices=[m.value for m in ContractMode],
        help="enforce: a violation answers 400; report: violations are only counted in /_sandbox/stats")
    add("--duplicate-hook-share", type=float, default=defaults.duplicate_hook_share, metavar="P")
    add("--hook-idle-seconds", type=float, default=defaults.hook_idle_seconds, metavar="S")
    add("--hook-retry-seconds", type=float, default=defaults.hook_retry_seconds, metavar="S")
    add("--hook-concurrency", type=int, default=defaults.hook_concurrency, metavar="N")
    add("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return parser


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    defaults = SandboxConfig()
    return SandboxConfig(
        account=args.account,
        app_key=args.app_key or os.environ.get(KEY_ENV) or defaults.app_key,
        app_token=args.app_token or os.environ.get(TOKEN_ENV) or defaults.app_token,
        db_path=args.db,
        latency_ms=args.latency_ms,
        rate_limit_scale=args.rate_limit_scale,
        fault_5xx=args.fault_5xx,
        fault_429=args.fault_429,
        fault_lost_response=args.fault_lost_response,
        seed=args.seed,
        order_clock=args.order_clock,
        cancel_request_share=args.cancel_request_share,
        duplicate_feed_share=args.duplicate_feed_share,
        fault_image_applied_error=args.fault_image_applied_error,
        fault_stock_applied_500=args.fault_stock_applied_500,
        fault_inventory_lock=args.fault_inventory_lock,
        case_sensitive_warehouses=args.case_sensitive_warehouses,
        bulk_rows_per_second=args.bulk_rows_per_second,
        bulk_upload_expiry_s=args.bulk_upload_expiry,
        bulk_confirm_seconds=args.bulk_confirm_seconds,
        contract_dir=args.contract,
        contract_mode=args.contract_mode,
        duplicate_hook_share=args.duplicate_hook_share,
        hook_idle_seconds=args.hook_idle_seconds,
        hook_retry_seconds=args.hook_retry_seconds,
        hook_concurrency=args.hook_concurrency,
    )


GC_THRESHOLD = 20_000  # allocations between young collections (default 700: one per few requests)


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    import uvicorn

    from vtex_sandbox.app import create_app

    config = config_from_args(args)
    app = create_app(config)
    print(f"VTEX sandbox for account '{config.account}' on http://{args.host}:{args.port}", flush=True)
    gc.freeze()  # the app and its imports: never garbage, never scanned again
    gc.set_threshold(GC_THRESHOLD)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
