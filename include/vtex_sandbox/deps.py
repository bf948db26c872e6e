"""FastAPI dependencies shared by the sandbox's routers."""

from __future__ import annotations

import random

from fastapi import Request

from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_config(request: Request) -> SandboxConfig:
    return request.app.state.config


def get_rng(request: Request) -> random.Random:
    return request.app.state.rng
