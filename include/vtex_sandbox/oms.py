"""Placeholder router; routes follow."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
