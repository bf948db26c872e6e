"""Builds the sandbox FastAPI application: store, settings, middleware and every router."""

from __future__ import annotations

import importlib
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from anyio import to_thread
from fastapi import FastAPI

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.errors import install_error_handlers
from vtex_sandbox.middleware import SandboxMiddleware, new_runtime_state
from vtex_sandbox.seed import seed_defaults
from vtex_sandbox.store import Store

HANDLER_THREADS = 8  # plain-function handlers at once (a bulk confirm holds one while it commits)

ROUTER_MODULES = (
    "catalog",
    "pricing",
    "logistics",
    "masterdata",
    "admin",
    "oms",
    "feed",
    "order_changes",
    "admin_orders",
    "orders_hook",
    "bulk_jobs",
    "bulk_pricing",
    "bulk_inventory",
)


def _router_modules() -> list[ModuleType]:
    return [importlib.import_module(f"vtex_sandbox.{name}") for name in ROUTER_MODULES]


def create_app(config: SandboxConfig, store: Store | None = None) -> FastAPI:
    """A ready-to-serve sandbox; ``store`` defaults to one at ``config.db_path`` (or in memory)."""
    modules = _router_modules()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # every handler waits for the one store lock: more threads only contend for the GIL
        to_thread.current_default_thread_limiter().total_tokens = HANDLER_THREADS
        for module in modules:
            hook = getattr(module, "on_startup", None)
            if hook:
                hook(app)
        yield
        for module in reversed(modules):
            hook = getattr(module, "on_shutdown", None)
            if hook:
                hook(app)

    app = FastAPI(title="VTEX sandbox", lifespan=lifespan, docs_url="/_sandbox/docs", openapi_url=None)
    app.state.config = config
    app.state.store = store if store is not None else Store(config.db_path)
    app.state.rng = random.Random(config.seed)
    for name, value in new_runtime_state(config).items():
        setattr(app.state, name, value)
    seed_defaults(app.state.store)
    install_error_handlers(app)
    app.add_middleware(SandboxMiddleware)
    for module in modules:
        app.include_router(module.router)
    return app
