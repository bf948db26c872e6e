"""Orders feed v3: configuration, reading (with visibility timeout) and committing handles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from vtex_sandbox import orders_sim  # noqa: F401  (registers the status clock's timers)
from vtex_sandbox.errors import VtexError, bad_request
from vtex_sandbox.orders_book import open_book
from vtex_sandbox.routing import JsonBody

router = APIRouter()

MIN_RETENTION, MAX_RETENTION = 345_600, 1_209_600
DEFAULT_VISIBILITY = 250
MAX_LOT = 10


def _number(queue: dict[str, Any], name: str, default: int) -> int:
    """A queue setting by name in any casing (VTEX's own documents disagree)."""
    for key, value in queue.items():
        if key.lower() == name.lower():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise bad_request(f"Invalid value for field 'queue.{name}'")
            return int(value)
    return default


def parse_config(body: Any) -> dict[str, Any]:
    """Validate a feed configuration and normalise it to ``{filter, queue}``."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be an object")
    flt = body.get("filter") or {"type": "FromWorkflow"}
    kind = flt.get("type", "FromWorkflow")
    if kind not in ("FromWorkflow", "FromOrders"):
        raise bad_request("Invalid value for field 'filter.type'")
    if flt.get("status") is not None and ("expression" in flt or "disableSingleFire" in flt):
        raise VtexError(409, "Filter status cannot be used together with expression or disableSingleFire")
    if kind == "FromWorkflow":
        status = flt.get("status") or []
        if not isinstance(status, list) or not all(isinstance(s, str) for s in status):
            raise bad_request("Invalid value for field 'filter.status'")
        normal = {"type": kind, "status": status}
    else:
        if not isinstance(flt.get("expression", ""), str):
            raise bad_request("Invalid value for field 'filter.expression'")
        normal = {"type": kind, "expression": flt.get("expression", ""),
                  "disableSingleFire": bool(flt.get("disableSingleFire", False))}
    queue = body.get("queue") or {}
    visibility = _number(queue, "visibilityTimeoutInSeconds", DEFAULT_VISIBILITY)
    retention = _number(queue, "MessageRetentionPeriodInSeconds", MIN_RETENTION)
    if visibility < 1:
        raise bad_request("visibilityTimeoutInSeconds must be positive")
    if not MIN_RETENTION <= retention <= MAX_RETENTION:
        limits = f"between {MIN_RETENTION} and {MAX_RETENTION}"
        raise bad_request(f"MessageRetentionPeriodInSeconds must be {limits}")
    return {"filter": normal,
            "queue": {"visibilityTimeoutInSeconds": visibility, "MessageRetentionPeriodInSeconds": retention}}


def _no_feed() -> VtexError:
    return VtexError(404, "Feed configuration not found")


@router.post("/api/orders/feed/config")
def configure_feed(request: Request, body: JsonBody) -> Response:
    config = parse_config(body)
    with open_book(request) as book:
        book.feed.configure(config, book.now)
    return Response(status_code=200)


@router.get("/api/orders/feed/config")
def get_feed_config(request: Request) -> dict[str, Any]:
    with open_book(request) as book:
        if book.feed.current(book.now) is None:
            raise _no_feed()
        return book.feed.describe(book.now)


@router.delete("/api/orders/feed/config")
def delete_feed_config(request: Request) -> Response:
    with open_book(request) as book:
        if not book.feed.remove_config():
            raise _no_feed()
    return Response(status_code=200)


@router.get("/api/orders/feed")
def read_feed(request: Request, maxlot: int = 1) -> list[dict[str, Any]]:
    if maxlot < 1:
        raise bad_request("maxlot must be between 1 and 10")
    with open_book(request) as book:
        if book.feed.current(book.now) is None:
            raise _no_feed()
        return book.feed.receive(min(maxlot, MAX_LOT), book.now)


@router.post("/api/orders/feed")
def commit_feed(request: Request, body: JsonBody) -> Response:
    handles = body.get("handles") if isinstance(body, dict) else None
    if not isinstance(handles, list):
        raise bad_request("The field 'handles' is required")
    with open_book(request) as book:
        if book.feed.current(book.now) is None:
            raise _no_feed()
        book.feed.commit(handles)
    return Response(status_code=200)
