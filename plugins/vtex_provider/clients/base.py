"""Shared plumbing for the typed VTEX clients."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from vtex_provider.exceptions import VtexNotFoundError

if TYPE_CHECKING:
    from vtex_provider.hooks.vtex import Api, VtexHook


def seg(value: object) -> str:
    """Quote one path segment (ref ids may contain `/` or spaces)."""
    return quote(str(value), safe="")


class VtexClient:
    """Base for one VTEX API: holds the hook and decodes JSON answers."""

    api: Api = "store"

    def __init__(self, hook: VtexHook) -> None:
        self.hook = hook

    def _call(self, method: str, path: str, **kwargs: Any):
        return self.hook.request(method, path, api=self.api, **kwargs)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._call(method, path, **kwargs)
        if not response.content or not response.content.strip():
            return None
        return response.json()

    def _json_or_none(self, path: str, **kwargs: Any) -> Any:
        """GET that answers None when VTEX says 404 (or sends an empty body)."""
        try:
            return self._json("GET", path, **kwargs)
        except VtexNotFoundError:
            return None
