"""HTTP handlers: parse the request, call one selector or service, shape the response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from floor_app import selectors, services
from floor_app.data import UserData
from floor_app.db import Connection
from floor_app.errors import NotFoundError, UnauthorizedError, ValidationError
from floor_app.middleware import Request, Response, header, json_body, json_response, query_params
from floor_app.rules import MAX_BIGINT, parse_pk, parse_query_int
from floor_app.schemas import (
    auth_out,
    credentials_in,
    order_in,
    order_out,
    product_detail_out,
    product_summary_out,
)
from floor_app.security import token_decode

# No framework, so nothing to name: "none" is what answered.
FRAMEWORK = "none"
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"

Handler = Callable[[Request], Awaitable[Response]]


def openapi_load() -> bytes:
    """The API's OpenAPI document, read once at start-up; a missing file stops the app."""
    try:
        return OPENAPI_PATH.read_bytes()
    except OSError as exc:
        raise SystemExit(f"floor_app: cannot read {OPENAPI_PATH}: {exc.strerror}") from None


OPENAPI = openapi_load()


async def openapi_view(request: Request) -> Response:
    """Serve docs/openapi.json as it is."""
    return Response(200, OPENAPI)


async def current_user(request: Request, conn: Connection) -> UserData:
    """Return the active user named by the request's bearer token, or answer 401."""
    parts = (header(request.scope, b"authorization") or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise UnauthorizedError()
    pk = token_decode(token=parts[1])
    user = None if pk is None else await selectors.user_get(conn=conn, pk=pk)
    if user is None or not user.is_active:
        raise UnauthorizedError()
    return user


async def health_view(request: Request) -> Response:
    """Answer ok after one database round trip."""
    async with request.connection() as conn:
        await conn.fetchval("SELECT 1")
    return json_response({"status": "ok", "framework": FRAMEWORK})


async def register_view(request: Request) -> Response:
    """Create an account and return a token for it."""
    body = credentials_in(await json_body(request))
    async with request.connection() as conn:
        auth = await services.user_register(conn=conn, email=body.email, password=body.password)
    return json_response(auth_out(auth), 201)


async def login_view(request: Request) -> Response:
    """Exchange an email and password for a token."""
    body = credentials_in(await json_body(request))
    async with request.connection() as conn:
        auth = await services.user_login(conn=conn, email=body.email, password=body.password)
    return json_response(auth_out(auth))


async def product_list_view(request: Request) -> Response:
    """List displayed products, paginated by limit and offset."""
    params = query_params(request.scope)
    limit_value = parse_query_int(params.get("limit"), default=20, minimum=1, maximum=100)
    offset_value = parse_query_int(params.get("offset"), default=0, minimum=0, maximum=MAX_BIGINT)
    if limit_value is None or offset_value is None:
        fields = {}
        if limit_value is None:
            fields["limit"] = "Must be a whole number from 1 to 100."
        if offset_value is None:
            fields["offset"] = f"Must be a whole number from 0 to {MAX_BIGINT}."
        raise ValidationError(fields=fields)
    async with request.connection() as conn:
        products = await selectors.product_list(conn=conn, limit=limit_value, offset=offset_value)
    return json_response(product_summary_out(products))


async def product_detail_view(request: Request) -> Response:
    """Show one displayed product with its active items."""
    product_pk = parse_pk(request.pk)
    if product_pk is None:
        raise NotFoundError()
    async with request.connection() as conn:
        product = await selectors.product_detail(conn=conn, pk=product_pk)
    if product is None:
        raise NotFoundError()
    return json_response(product_detail_out(product))


async def order_create_view(request: Request) -> Response:
    """Place an order (201), or return the original one for a retry (200)."""
    async with request.connection() as conn:
        user = await current_user(request, conn)
        body = order_in(await json_body(request))
        order, created = await services.order_create(conn=conn, user_id=user.pk, payload=body)
    return json_response(order_out(order), 201 if created else 200)


async def order_detail_view(request: Request) -> Response:
    """Show one of the caller's orders."""
    async with request.connection() as conn:
        user = await current_user(request, conn)
        order_pk = parse_pk(request.pk)
        order = (
            await selectors.order_get(conn=conn, pk=order_pk, user_id=user.pk) if order_pk else None
        )
    if order is None:
        raise NotFoundError()
    return json_response(order_out(order))
