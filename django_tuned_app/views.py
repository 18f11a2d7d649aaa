"""HTTP handlers: parse the request, call one selector or service, shape the response."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from django_tuned_app import selectors, services
from django_tuned_app.data import UserData
from django_tuned_app.errors import (
    MethodNotAllowedError,
    NotFoundError,
    UnauthorizedError,
    ValidationError,
)
from django_tuned_app.handlers import api_error_from, error_page
from django_tuned_app.middleware import json_body
from django_tuned_app.rules import MAX_BIGINT, parse_pk, parse_query_int
from django_tuned_app.schemas import (
    auth_out,
    credentials_in,
    order_in,
    order_out,
    product_detail_out,
    product_summary_out,
)
from django_tuned_app.security import token_decode

FRAMEWORK = "django"
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"

View = Callable[..., HttpResponse]


def openapi_load() -> bytes:
    """The API's OpenAPI document, read once at start-up; a missing file stops the app."""
    try:
        return OPENAPI_PATH.read_bytes()
    except OSError as exc:
        raise SystemExit(f"django_tuned_app: cannot read {OPENAPI_PATH}: {exc.strerror}") from None


OPENAPI = openapi_load()


def api_view(method: str) -> Callable[[View], View]:
    """Allow one method (405 with Allow otherwise) and answer API errors in the envelope."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != method:
                return error_page(MethodNotAllowedError(), {"Allow": method})
            try:
                return view(request, *args, **kwargs)
            except Exception as exc:
                error = api_error_from(exc)
                if error is None:
                    raise  # Django's handler500 answers, in the envelope
                return error_page(error)

        return wrapped

    return decorate


def json_response(data: Any, status: int = 200) -> JsonResponse:
    """Serialize `data` compactly into a JSON response."""
    return JsonResponse(
        data, status=status, safe=False, json_dumps_params={"separators": (",", ":")}
    )


def current_user(request: HttpRequest) -> UserData:
    """Return the active user named by the request's bearer token, or answer 401."""
    parts = (request.headers.get("Authorization") or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise UnauthorizedError()
    pk = token_decode(token=parts[1])
    user = None if pk is None else selectors.user_get(pk=pk)
    if user is None or not user.is_active:
        raise UnauthorizedError()
    return user


@api_view("GET")
def health_view(request: HttpRequest) -> HttpResponse:
    """Answer ok after one database round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return json_response({"status": "ok", "framework": FRAMEWORK})


@api_view("POST")
def register_view(request: HttpRequest) -> HttpResponse:
    """Create an account and return a token for it."""
    body = credentials_in(json_body(request))
    auth = services.user_register(email=body.email, password=body.password)
    return json_response(auth_out(auth), 201)


@api_view("POST")
def login_view(request: HttpRequest) -> HttpResponse:
    """Exchange an email and password for a token."""
    body = credentials_in(json_body(request))
    auth = services.user_login(email=body.email, password=body.password)
    return json_response(auth_out(auth))


@api_view("GET")
def product_list_view(request: HttpRequest) -> HttpResponse:
    """List displayed products, paginated by limit and offset."""
    params = request.GET
    limit_value = parse_query_int(params.get("limit"), default=20, minimum=1, maximum=100)
    offset_value = parse_query_int(params.get("offset"), default=0, minimum=0, maximum=MAX_BIGINT)
    if limit_value is None or offset_value is None:
        fields = {}
        if limit_value is None:
            fields["limit"] = "Must be a whole number from 1 to 100."
        if offset_value is None:
            fields["offset"] = f"Must be a whole number from 0 to {MAX_BIGINT}."
        raise ValidationError(fields=fields)
    products = selectors.product_list(limit=limit_value, offset=offset_value)
    return json_response(product_summary_out(products))


@api_view("GET")
def product_detail_view(request: HttpRequest, pk: str) -> HttpResponse:
    """Show one displayed product with its active items."""
    product_pk = parse_pk(pk)
    product = selectors.product_detail(pk=product_pk) if product_pk else None
    if product is None:
        raise NotFoundError()
    return json_response(product_detail_out(product))


@api_view("POST")
def order_create_view(request: HttpRequest) -> HttpResponse:
    """Place an order (201), or return the original one for a retry (200)."""
    user = current_user(request)
    body = order_in(json_body(request))
    order, created = services.order_create(user_id=user.pk, payload=body)
    return json_response(order_out(order), 201 if created else 200)


@api_view("GET")
def order_detail_view(request: HttpRequest, pk: str) -> HttpResponse:
    """Show one of the caller's orders."""
    user = current_user(request)
    order_pk = parse_pk(pk)
    order = selectors.order_get(pk=order_pk, user_id=user.pk) if order_pk else None
    if order is None:
        raise NotFoundError()
    return json_response(order_out(order))


@api_view("GET")
def openapi_view(request: HttpRequest) -> HttpResponse:
    """Serve docs/openapi.json as it is."""
    return HttpResponse(OPENAPI, content_type="application/json")
