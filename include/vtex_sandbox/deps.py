"""FastAPI dependencies shared by the sandbox's routers (async: FastAPI runs a plain function
dependency in its thread pool, one thread hand-off per request for a lookup)."""

from __future__ import annotations

import random

from fastapi import Request

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.store import Store


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_config(request: Request) -> SandboxConfig:
    return request.app.state.config


async def get_rng(request: Request) -> random.Random:
    return request.app.state.rng
