"""VTEX-shaped error responses and the exception handlers that produce them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


def error_body(message: str, code: str = "1") -> dict[str, Any]:
    """The ``{"error": {code, message, exception}}`` body VTEX's REST APIs answer with."""
    return {"error": {"code": code, "message": message, "exception": None}}


class VtexError(Exception):
    """Raise from a route to answer ``status`` with a VTEX-shaped error body."""

    def __init__(self, status: int, message: str, code: str = "1", body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body if body is not None else error_body(message, code)


def bad_request(message: str) -> VtexError:
    return VtexError(400, message)


def not_found(what: str, key: Any) -> VtexError:
    return VtexError(404, f"{what} {key} not found")


def unknown_reference(what: str, key: Any) -> VtexError:
    """A body that points at an object that does not exist (VTEX answers 400)."""
    return VtexError(400, f"{what} {key} does not exist")


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation_message(exc: RequestValidationError) -> str:
    messages = []
    for err in exc.errors():
        field = _field_name(tuple(err.get("loc", ())))
        if err.get("type") == "missing":
            messages.append(f"The field '{field}' is required")
        else:
            messages.append(f"Invalid value for field '{field}': {err.get('msg')}")
    return "; ".join(messages) or "Invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Make every error the app raises look like VTEX's."""

    @app.exception_handler(VtexError)
    async def _vtex_error(_request: Request, exc: VtexError) -> JSONResponse:
        return JSONResponse(exc.body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(_validation_message(exc)), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers)
