"""API errors: one exception class per contract error code, rendered as the JSON envelope."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fastapi_tuned_app.db import database_unavailable

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of every error the API answers with; subclasses fix the status and code."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Internal server error."
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(self, message: str | None = None, *, fields: dict[str, str] | None = None):
        self.message = message or self.default_message
        self.fields = fields
        super().__init__(self.message)


class ValidationError(ApiError):
    status = 400
    code = "validation_error"
    default_message = "The request is invalid."


class UnauthorizedError(ApiError):
    status = 401
    code = "unauthorized"
    default_message = "Authentication required."
    headers = {"WWW-Authenticate": "Bearer"}


class InvalidCredentialsError(ApiError):
    status = 401
    code = "invalid_credentials"
    default_message = "Invalid email or password."


class NotFoundError(ApiError):
    status = 404
    code = "not_found"
    default_message = "Not found."


class MethodNotAllowedError(ApiError):
    status = 405
    code = "method_not_allowed"
    default_message = "Method not allowed."


class EmailTakenError(ApiError):
    status = 409
    code = "email_taken"
    default_message = "This email is already registered."


class DuplicateOrderNumberError(ApiError):
    status = 409
    code = "duplicate_order_number"
    default_message = "This order number is already used by a different order."


class OutOfStockError(ApiError):
    status = 409
    code = "out_of_stock"
    default_message = "Not enough stock for this order."


class PayloadTooLargeError(ApiError):
    status = 413
    code = "payload_too_large"
    default_message = "The request body is larger than 65536 bytes."


class UnsupportedMediaTypeError(ApiError):
    status = 415
    code = "unsupported_media_type"
    default_message = "The request body must be application/json."


class UnavailableError(ApiError):
    status = 503
    code = "unavailable"
    default_message = "The service is temporarily unavailable."


class InternalError(ApiError):
    pass


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


def error_body(error: ApiError) -> dict[str, Any]:
    """Return the JSON envelope for an error."""
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.fields:
        detail["fields"] = error.fields
    return {"error": detail}


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
