"""Route-level fault knobs modelled on VTEX's published known issues."""

from __future__ import annotations

from fastapi import Request

from vtex_sandbox.errors import VtexError


def fires(request: Request, knob: str) -> bool:
    """Draw against the probability of ``knob`` (from ``/_sandbox/faults`` or the command line)."""
    probability = float(request.app.state.faults.get(knob) or 0)
    return probability > 0 and request.app.state.fault_rng.random() < probability


def applied_but_failed(what: str) -> VtexError:
    """The 500 VTEX answers although the write went through."""
    return VtexError(500, f"An unexpected error occurred while processing the {what} (the request timed out)")


def case_sensitive_warehouses(request: Request) -> bool:
    return bool(request.app.state.faults.get("case_sensitive_warehouses"))
