"""The contract's error catalogue: one exception class per error code, and the JSON envelope.

Shared by copy: this file is byte-identical in every app folder (tests/contract/test_twins.py),
so it imports only the standard library. Each app's handlers.py renders these with its framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


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


def error_body(error: ApiError) -> dict[str, Any]:
    """Return the JSON envelope for an error."""
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.fields:
        detail["fields"] = error.fields
    return {"error": detail}
