"""Django's own errors, and the catalogue's, answered in the JSON envelope."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse

from django_tuned_app.errors import (
    ApiError,
    InternalError,
    NotFoundError,
    UnavailableError,
    ValidationError,
    error_body,
)


def error_page(error: ApiError, headers: Mapping[str, str] | None = None) -> JsonResponse:
    """Return the JSON response for an error."""
    return JsonResponse(
        error_body(error),
        status=error.status,
        headers={**error.headers, **(headers or {})},
        json_dumps_params={"separators": (",", ":")},
    )


def api_error_from(exc: Exception) -> ApiError | None:
    """Return the contract's error for an exception raised in a view, or None for a 500."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, OperationalError | InterfaceError):
        # psycopg maps SQLSTATE classes 08 (connection), 53 (resources) and 57 (operator
        # intervention: statement timeout, shutdown) to OperationalError.
        return UnavailableError()
    return None


def bad_request_page(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler400 (a suspicious request), in the envelope."""
    return error_page(ValidationError())


def not_found_page(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404 (no route matched), in the envelope."""
    return error_page(NotFoundError())


def server_error_page(request: HttpRequest) -> JsonResponse:
    """Django's handler500 (an unexpected exception), in the envelope."""
    return error_page(InternalError())
