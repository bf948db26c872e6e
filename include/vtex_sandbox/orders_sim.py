"""Order simulator: creates sandbox orders and moves them through VTEX statuses."""

from __future__ import annotations
