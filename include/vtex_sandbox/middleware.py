"""Cross-cutting behaviour of every sandbox request, as one ASGI middleware.

In order: trailing-slash tolerance, request id, added latency, authentication, then (VTEX
routes only) the check against VTEX's published contract (``--contract``), injected faults and
rate limits, and finally per-route statistics.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections import Counter
from typing import Any

from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vtex_sandbox.contract_stats import ContractMode, ContractStats
from vtex_sandbox.errors import error_body
from vtex_sandbox.ratelimit import RateLimiter

REQUEST_ID_HEADER = "X-VTEX-Request-Id"
ADMIN_PREFIX = "/_sandbox"
STORAGE_PREFIX = "/_s3"  # pre-signed bulk upload URLs: signed, not VTEX-authenticated
UNAUTHORIZED = error_body("Unauthorized access")


def route_template(app: Any, scope: Scope) -> str | None:
    """The path template of the route that will serve ``scope`` (pricing prefixes folded)."""
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return normalise_template(route.path)
    return None


def normalise_template(path: str) -> str:
    """Serve ``/{account}/pricing/...`` and ``/api/pricing/...`` under one name: ``/pricing/...``."""
    for prefix in ("/{account}/pricing", "/api/pricing"):
        if path.startswith(prefix + "/") or path == prefix:
            return "/pricing" + path[len(prefix) :]
    if path.startswith("/{account}/availability/"):
        return path.removeprefix("/{account}")
    return path


class RequestStats:
    """Request counts by (method, route template, status)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, int]] = Counter()

    def record(self, method: str, route: str, status: int) -> None:
        self.counts[(method, route, status)] += 1

    def reset(self) -> None:
        self.counts.clear()

    def snapshot(self) -> dict[str, Any]:
        rows = [
            {"method": m, "route": r, "status": s, "count": c}
            for (m, r, s), c in sorted(self.counts.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))
        ]
        return {"total": sum(self.counts.values()), "by_route": rows}


async def _send_json(send: Send, status: int, body: Any, headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def _authorised(headers: Headers, config: Any) -> bool:
    key = headers.get("x-vtex-api-appkey", "")
    token = headers.get("x-vtex-api-apptoken", "")
    return secrets.compare_digest(key, config.app_key) and secrets.compare_digest(token, config.app_token)


class SandboxMiddleware:
    """Reads its settings and runtime state from ``scope["app"].state``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            scope["path"] = path.rstrip("/") or "/"
            scope["raw_path"] = scope["path"].encode()
        method = scope["method"]
        is_admin = scope["path"].startswith(ADMIN_PREFIX)
        route = route_template(scope["app"], scope) or scope["path"]
        extra_headers = {REQUEST_ID_HEADER: uuid.uuid4().hex}
        status_seen = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status_seen
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                raw = [(k.lower().encode(), v.encode()) for k, v in extra_headers.items()]
                message = {**message, "headers": [*message.get("headers", []), *raw]}
            await send(message)

        async def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            extra_headers.update(headers or {})
            await _send_json(send_with_headers, status, body, {})

        if state.config.latency_ms > 0:
            await asyncio.sleep(state.config.latency_ms / 1000)

        if scope["path"].startswith(STORAGE_PREFIX + "/"):
            await self.app(scope, receive, send_with_headers)
            return  # like S3: the URL's signature is checked by the route, nothing is counted
        if not _authorised(Headers(scope=scope), state.config):
            await answer(401, UNAUTHORIZED)
        elif is_admin:
            await self.app(scope, receive, send_with_headers)
            return  # admin routes are not counted
        else:
            receive, refusal = await _check_contract(state, scope, receive, route)
            if refusal is not None:
                await answer(400, refusal)
            else:
                await self._serve_vtex_route(scope, receive, send_with_headers, answer, route, extra_headers)
        state.stats.record(method, route, status_seen)

    async def _serve_vtex_route(
        self, scope: Scope, receive: Receive, send: Send, answer: Any, route: str, extra_headers: dict
    ) -> None:
        state = scope["app"].state
        faults = state.faults
        draw = state.fault_rng.random()
        if draw < faults["error_5xx"]:
            await answer(503, error_body("Service temporarily unavailable"))
            return
        if draw < faults["error_5xx"] + faults["rate_429"]:
            await answer(429, error_body("Too many requests"), {"Retry-After": "1"})
            return
        decision = state.limiter.check(scope["method"], route)
        extra_headers.update(decision.headers)
        if not decision.allowed:
            await answer(429, error_body("Too many requests"))
            return
        if draw < faults["error_5xx"] + faults["rate_429"] + faults["lost_response"]:
            await self.app(scope, receive, _losing_send(send))
            return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app again."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


async def _check_contract(state: Any, scope: Scope, receive: Receive, route: str) -> tuple[Receive, Any]:
    """Check the request against VTEX's documents; the error body to refuse it with, if any."""
    contract = getattr(state, "contract", None)
    if contract is None:
        return receive, None
    body, receive = await _read_body(receive)
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    operation, violations = contract.check(
        scope["method"], scope["path"], scope.get("query_string", b""), headers, body
    )
    key = operation.key if operation else f"{scope['method']} {route} (undocumented)"
    state.contract_stats.record(key, violations)
    if not violations or state.contract_stats.mode is not ContractMode.ENFORCE:
        return receive, None
    message = "; ".join(f"{v.message} [{v.field}: {v.rule}]" for v in violations)
    refusal = error_body(f"Request does not match VTEX's contract for {key}: {message}", "400")
    refusal["error"]["violations"] = [v.as_json() for v in violations]
    return receive, refusal


def _losing_send(send: Send) -> Send:
    """Let the request complete, then deliver only half a response body and hang up."""
    start: Message | None = None
    body = b""

    async def losing_send(message: Message) -> None:
        nonlocal start, body
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            return
        body += message.get("body", b"")
        if message.get("more_body", False):
            return
        status = 200 if start["status"] in (204, 304) else start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body) + 64).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})

    return losing_send


def new_runtime_state(config: Any) -> dict[str, Any]:
    """Fresh runtime state the middleware needs (set on ``app.state`` by ``create_app``)."""
    import random

    contract_mode = ContractMode(config.contract_mode) if config.contract_dir else None
    contract = None
    if config.contract_dir:  # jsonschema is imported only when a contract is asked for
        from vtex_sandbox.contract_loader import load_contract

        contract = load_contract(config.contract_dir)
    return {
        "stats": RequestStats(),
        "contract": contract,
        "contract_stats": ContractStats(contract_mode),
        "limiter": RateLimiter(config.rate_limit_scale),
        "fault_rng": random.Random(config.seed),
        "inventory_locks": set(),  # (skuId, warehouseId) pairs whose writes answer 423
        "faults": {
            "error_5xx": config.fault_5xx,
            "rate_429": config.fault_429,
            "lost_response": config.fault_lost_response,
            "image_applied_error": config.fault_image_applied_error,
            "stock_applied_500": config.fault_stock_applied_500,
            "inventory_lock": config.fault_inventory_lock,
            "case_sensitive_warehouses": config.case_sensitive_warehouses,
            "bulk_rows_per_second": config.bulk_rows_per_second,
            "bulk_upload_expiry_s": config.bulk_upload_expiry_s,
            "bulk_confirm_seconds": config.bulk_confirm_seconds,
        },
        "bulk_secret": secrets.token_bytes(16),  # signs the bulk imports' upload URLs
    }
