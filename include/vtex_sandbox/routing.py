"""Small helpers shared by the sandbox's routers: typed dependencies and JSON bodies.

The routes an initial setup calls thousands of times (category, product, SKU, EAN, specification,
image and trade-policy creates) are ``async def``: they run in the event loop with no thread
hand-off, as their work is a few lookups in the in-memory store. A route that waits (a batch
inventory confirm holding its commit) stays a plain function, in FastAPI's thread pool.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.deps import get_config, get_store
from vtex_sandbox.errors import bad_request
from vtex_sandbox.store import Store

StoreDep = Annotated[Store, Depends(get_store)]
ConfigDep = Annotated[SandboxConfig, Depends(get_config)]


async def json_body(request: Request) -> Any:
    """The request body as JSON, or a 400 naming the problem."""
    raw = await request.body()
    if not raw.strip():
        raise bad_request("The request body is required")
    try:
        return await request.json()
    except ValueError as exc:
        raise bad_request("The request body is not valid JSON") from exc


JsonBody = Annotated[Any, Depends(json_body)]
