"""HTTP handlers: parse the request, call one selector or service, shape the response."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response, status

from fastapi_tuned_app import selectors, services
from fastapi_tuned_app.data import AuthData, OrderData, ProductDetail, ProductSummary
from fastapi_tuned_app.deps import ConnectionDep, CredentialsBody, CurrentUser, OrderBody
from fastapi_tuned_app.errors import NotFoundError, ValidationError
from fastapi_tuned_app.rules import MAX_BIGINT, parse_pk, parse_query_int
from fastapi_tuned_app.schemas import AuthOut, OrderOut, ProductDetailOut, ProductSummaryOut

router = APIRouter()

FRAMEWORK = "fastapi"
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def openapi_load() -> bytes:
    """The API's OpenAPI document, read once at start-up; a missing file stops the app."""
    try:
        return OPENAPI_PATH.read_bytes()
    except OSError as exc:
        raise SystemExit(f"fastapi_tuned_app: cannot read {OPENAPI_PATH}: {exc.strerror}") from None


OPENAPI = openapi_load()


@router.get("/openapi.json", response_class=Response)
async def openapi_view() -> Response:
    """Serve docs/openapi.json as it is."""
    return Response(OPENAPI, media_type="application/json")


@router.get("/health")
async def health_view(conn: ConnectionDep) -> dict[str, str]:
    """Answer ok after one database round trip."""
    await conn.fetchval("SELECT 1")
    return {"status": "ok", "framework": FRAMEWORK}


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=AuthOut)
async def register_view(conn: ConnectionDep, body: CredentialsBody) -> AuthData:
    """Create an account and return a token for it."""
    return await services.user_register(conn=conn, email=body.email, password=body.password)


@router.post("/auth/login", response_model=AuthOut)
async def login_view(conn: ConnectionDep, body: CredentialsBody) -> AuthData:
    """Exchange an email and password for a token."""
    return await services.user_login(conn=conn, email=body.email, password=body.password)


@router.get("/products", response_model=list[ProductSummaryOut])
async def product_list_view(
    conn: ConnectionDep, limit: str | None = None, offset: str | None = None
) -> list[ProductSummary]:
    """List displayed products, paginated by limit and offset."""
    limit_value = parse_query_int(limit, default=20, minimum=1, maximum=100)
    offset_value = parse_query_int(offset, default=0, minimum=0, maximum=MAX_BIGINT)
    if limit_value is None or offset_value is None:
        fields = {}
        if limit_value is None:
            fields["limit"] = "Must be a whole number from 1 to 100."
        if offset_value is None:
            fields["offset"] = f"Must be a whole number from 0 to {MAX_BIGINT}."
        raise ValidationError(fields=fields)
    return await selectors.product_list(conn=conn, limit=limit_value, offset=offset_value)


@router.get("/products/{pk}", response_model=ProductDetailOut)
async def product_detail_view(conn: ConnectionDep, pk: str) -> ProductDetail:
    """Show one displayed product with its active items."""
    product_pk = parse_pk(pk)
    product = await selectors.product_detail(conn=conn, pk=product_pk) if product_pk else None
    if product is None:
        raise NotFoundError()
    return product


@router.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderOut)
async def order_create_view(
    user: CurrentUser, body: OrderBody, conn: ConnectionDep, response: Response
) -> OrderData:
    """Place an order (201), or return the original one for a retry (200)."""
    order, created = await services.order_create(conn=conn, user_id=user.pk, payload=body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return order


@router.get("/orders/{pk}", response_model=OrderOut)
async def order_detail_view(user: CurrentUser, conn: ConnectionDep, pk: str) -> OrderData:
    """Show one of the caller's orders."""
    order_pk = parse_pk(pk)
    order = await selectors.order_get(conn=conn, pk=order_pk, user_id=user.pk) if order_pk else None
    if order is None:
        raise NotFoundError()
    return order
