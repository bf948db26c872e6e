"""Sandbox administration under ``/_sandbox``: stats, export, reset and fault knobs."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from vtex_sandbox.routing import StoreDep
from vtex_sandbox.seed import seed_defaults

router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])

EXPORT_KINDS = (
    "categories",
    "brands",
    "specification_groups",
    "specification_fields",
    "specification_values",
    "products",
    "product_specifications",
    "skus",
    "sku_specifications",
    "sku_files",
    "prices",
    "docks",
    "warehouses",
    "inventory",
    "orders",
    "documents",
    "product_trade_policies",
    "sku_eans",
    "trade_policies",
)


class Faults(BaseModel):
    """Fault probabilities; any subset may be posted."""

    error_5xx: float | None = Field(default=None, ge=0, le=1)
    rate_429: float | None = Field(default=None, ge=0, le=1)
    lost_response: float | None = Field(default=None, ge=0, le=1)
    image_applied_error: float | None = Field(default=None, ge=0, le=1)
    stock_applied_500: float | None = Field(default=None, ge=0, le=1)
    inventory_lock: float | None = Field(default=None, ge=0, le=1)
    case_sensitive_warehouses: bool | None = None
    bulk_rows_per_second: float | None = Field(default=None, gt=0)
    bulk_upload_expiry_s: float | None = Field(default=None, gt=0)
    bulk_confirm_seconds: float | None = Field(default=None, ge=0, le=60)
    seed: int | None = None  # restarts the fault draws from this seed (reproducible faults)


def _stats(request: Request) -> dict[str, Any]:
    return {
        **request.app.state.stats.snapshot(),
        "contract": request.app.state.contract_stats.snapshot(),
        "cpu_seconds": time.process_time(),  # the sandbox process's CPU time so far, every thread
    }


@router.get("/stats")
def get_stats(request: Request) -> dict[str, Any]:
    """Requests by route and status; ``contract``: requests checked and violations per operation;
    ``cpu_seconds``: the sandbox's CPU time (a benchmark sharing its machine reads what it cost)."""
    return _stats(request)


@router.post("/stats/reset")
def reset_stats(request: Request) -> dict[str, Any]:
    request.app.state.stats.reset()
    request.app.state.contract_stats.reset()
    return _stats(request)


@router.get("/export")
def export(store: StoreDep) -> dict[str, list[dict[str, Any]]]:
    return {kind: store.all(kind) for kind in EXPORT_KINDS}


@router.post("/reset")
def reset(request: Request, store: StoreDep) -> dict[str, bool]:
    store.reset()
    seed_defaults(store)
    request.app.state.stats.reset()
    request.app.state.contract_stats.reset()
    return {"reset": True}


class InventoryLock(BaseModel):
    skuId: int
    warehouseId: str


@router.post("/inventory-locks")
def lock_inventory(lock: InventoryLock, request: Request) -> list[dict[str, str]]:
    """Hold VTEX's lock on one (SKU, warehouse): its inventory writes answer 423 until released."""
    request.app.state.inventory_locks.add((str(lock.skuId), lock.warehouseId))
    return _locks(request)


@router.delete("/inventory-locks")
def release_inventory_locks(request: Request) -> list[dict[str, str]]:
    request.app.state.inventory_locks.clear()
    return _locks(request)


def _locks(request: Request) -> list[dict[str, str]]:
    return [{"skuId": s, "warehouseId": w} for s, w in sorted(request.app.state.inventory_locks)]


@router.get("/faults")
def get_faults(request: Request) -> dict[str, float | bool]:
    return dict(request.app.state.faults)


@router.post("/faults")
def set_faults(faults: Faults, request: Request) -> dict[str, float | bool]:
    current = request.app.state.faults
    if faults.seed is not None:
        request.app.state.fault_rng.seed(faults.seed)
    current.update(faults.model_dump(exclude_none=True, exclude={"seed"}))
    return dict(current)
