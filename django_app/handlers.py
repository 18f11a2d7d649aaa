"""Django's and DRF's own errors, and the catalogue's, answered in the JSON envelope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.settings import api_settings

from django_app.errors import (
    ApiError,
    InternalError,
    MethodNotAllowedError,
    NotFoundError,
    UnauthorizedError,
    UnavailableError,
    UnsupportedMediaTypeError,
    ValidationError,
    error_body,
)


def error_page(error: ApiError) -> JsonResponse:
    """Return the JSON response for an error raised outside DRF's views."""
    return JsonResponse(
        error_body(error), status=error.status, json_dumps_params={"separators": (",", ":")}
    )


def validation_fields(detail: Any, prefix: str = "") -> dict[str, str]:
    """Flatten DRF errors to {"items.0.quantity": message}, first message per field."""
    if isinstance(detail, Mapping):
        fields: dict[str, str] = {}
        for key, value in detail.items():
            name = "" if key == api_settings.NON_FIELD_ERRORS_KEY else str(key)
            fields.update(validation_fields(value, ".".join(filter(None, (prefix, name)))))
        return fields
    if isinstance(detail, list) and all(isinstance(message, str) for message in detail):
        return {prefix: str(detail[0])} if detail else {}
    if isinstance(detail, list):
        fields = {}
        for index, value in enumerate(detail):
            fields.update(validation_fields(value, ".".join(filter(None, (prefix, str(index))))))
        return fields
    return {prefix: str(detail)}


def api_error_from(exc: Exception) -> ApiError | None:
    """Return the contract's error for an exception raised in a view, or None for a 500."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, OperationalError | InterfaceError):
        # psycopg maps SQLSTATE classes 08 (connection), 53 (resources) and 57 (operator
        # intervention: statement timeout, shutdown) to OperationalError.
        return UnavailableError()
    if isinstance(exc, drf.ValidationError):
        return ValidationError(fields=validation_fields(exc.detail) or None)
    if isinstance(exc, drf.ParseError):
        return ValidationError(str(exc.detail))
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return UnauthorizedError()
    if isinstance(exc, drf.NotFound | Http404):
        return NotFoundError()
    if isinstance(exc, drf.MethodNotAllowed):
        return MethodNotAllowedError()
    if isinstance(exc, drf.UnsupportedMediaType):
        return UnsupportedMediaTypeError()
    return None


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: answer every known error in the envelope; None means a 500."""
    error = api_error_from(exc)
    if error is None:
        return None
    return Response(error_body(error), status=error.status, headers=dict(error.headers) or None)


def bad_request_page(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler400 (a suspicious request), in the envelope."""
    return error_page(ValidationError())


def not_found_page(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404 (no route matched), in the envelope."""
    return error_page(NotFoundError())


def server_error_page(request: HttpRequest) -> JsonResponse:
    """Django's handler500 (an unexpected exception), in the envelope."""
    return error_page(InternalError())
