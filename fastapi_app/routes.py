"""HTTP handlers: parse the request, call one selector or service, shape the response."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from fastapi_app import selectors, services
from fastapi_app.data import AuthData, OrderData, ProductDetail, ProductSummary
from fastapi_app.deps import CredentialsBody, CurrentUser, OrderBody, SessionDep
from fastapi_app.errors import NotFoundError
from fastapi_app.rules import parse_page, parse_pk
from fastapi_app.schemas import AuthOut, OrderOut, ProductDetailOut, ProductSummaryOut

router = APIRouter()

FRAMEWORK = "fastapi"
# The contract's OpenAPI document, written by hand; every app serves this file byte for byte.
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def openapi_read(path: Path = OPENAPI_PATH) -> bytes:
    """Return the OpenAPI document's bytes, refusing a file that is not JSON."""
    content = path.read_bytes()
    json.loads(content)
    return content


OPENAPI_DOCUMENT = openapi_read()


@router.get("/health")
async def health_view(session: SessionDep) -> dict[str, str]:
    """Answer ok after one database round trip."""
    await session.execute(text("SELECT 1"))
    return {"status": "ok", "framework": FRAMEWORK}


# Not in FastAPI's generated schema: the served document describes itself.
@router.get("/openapi.json", include_in_schema=False)
async def openapi_view() -> Response:
    """Serve the contract's OpenAPI document, byte for byte."""
    return Response(OPENAPI_DOCUMENT, media_type="application/json")


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=AuthOut)
async def register_view(session: SessionDep, body: CredentialsBody) -> AuthData:
    """Create an account and return a token for it."""
    return await services.user_register(session=session, email=body.email, password=body.password)


@router.post("/auth/login", response_model=AuthOut)
async def login_view(session: SessionDep, body: CredentialsBody) -> AuthData:
    """Exchange an email and password for a token."""
    return await services.user_login(session=session, email=body.email, password=body.password)


@router.get("/products", response_model=list[ProductSummaryOut])
async def product_list_view(
    session: SessionDep, limit: str | None = None, offset: str | None = None
) -> list[ProductSummary]:
    """List displayed products, paginated by limit and offset."""
    limit_value, offset_value = parse_page(limit=limit, offset=offset)
    return await selectors.product_list(session=session, limit=limit_value, offset=offset_value)


@router.get("/products/{pk}", response_model=ProductDetailOut)
async def product_detail_view(session: SessionDep, pk: str) -> ProductDetail:
    """Show one displayed product with its active items."""
    product_pk = parse_pk(pk)
    product = await selectors.product_detail(session=session, pk=product_pk) if product_pk else None
    if product is None:
        raise NotFoundError()
    return product


@router.post("/orders", status_code=status.HTTP_201_CREATED, response_model=OrderOut)
async def order_create_view(
    user: CurrentUser, body: OrderBody, session: SessionDep, response: Response
) -> OrderData:
    """Place an order (201), or return the original one for a retry (200)."""
    order, created = await services.order_create(session=session, user_id=user.pk, payload=body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return order


@router.get("/orders/{pk}", response_model=OrderOut)
async def order_detail_view(user: CurrentUser, session: SessionDep, pk: str) -> OrderData:
    """Show one of the caller's orders."""
    order_pk = parse_pk(pk)
    order = (
        await selectors.order_get(session=session, pk=order_pk, user_id=user.pk)
        if order_pk
        else None
    )
    if order is None:
        raise NotFoundError()
    return order
