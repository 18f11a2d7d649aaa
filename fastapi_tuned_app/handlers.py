"""Starlette's and FastAPI's own errors, and the catalogue's, answered in the JSON envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fastapi_tuned_app.db import database_unavailable
from fastapi_tuned_app.errors import (
    ApiError,
    InternalError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
    UnavailableError,
    UnsupportedMediaTypeError,
    ValidationError,
    error_body,
)

logger = logging.getLogger(__name__)

_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        ValidationError,
        UnauthorizedError,
        NotFoundError,
        MethodNotAllowedError,
        PayloadTooLargeError,
        UnsupportedMediaTypeError,
        UnavailableError,
    )
}


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Return the JSON response for an error."""
    return JSONResponse(
        error_body(error), status_code=error.status, headers={**error.headers, **(headers or {})}
    )


async def api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer an ApiError with its own status and code."""
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer the router's own errors (unknown path, wrong method) in the envelope."""
    assert isinstance(exc, HTTPException)
    error = _BY_STATUS.get(exc.status_code, InternalError)()
    return error_response(error, headers=exc.headers)


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer a framework-level parameter validation failure as validation_error."""
    assert isinstance(exc, RequestValidationError)
    fields = {
        ".".join(str(part) for part in error["loc"][1:]): str(error["msg"])
        for error in reversed(exc.errors())
    }
    return error_response(ValidationError(fields=fields or None))


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer 503 when the database is unreachable or timed out, 500 for any other failure."""
    if database_unavailable(exc):
        reason = str(exc).partition("\n")[0]
        logger.warning("database unavailable: %s: %s", type(exc).__name__, reason)
        return error_response(UnavailableError())
    logger.error("unexpected database error", exc_info=exc)
    return error_response(InternalError())


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer any unexpected exception with a JSON 500 instead of a plain-text page."""
    return error_response(InternalError())
