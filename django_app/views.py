"""HTTP handlers: parse the request, call one selector or service, shape the response."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import connection
from django.http import HttpResponse, UnreadablePostError
from django.utils.http import parse_header_parameters
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_app import selectors, services
from django_app.data import UserData
from django_app.errors import NotFoundError, UnsupportedMediaTypeError, ValidationError
from django_app.rules import BODY_CUT_OFF_MESSAGE, parse_page, parse_pk
from django_app.schemas import (
    AuthOut,
    Credentials,
    CredentialsIn,
    OrderIn,
    OrderOut,
    OrderRequest,
    ProductDetailOut,
    ProductSummaryOut,
)
from django_app.security import token_decode

FRAMEWORK = "django"
# The contract's OpenAPI document, written by hand; every app serves this file byte for byte.
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def openapi_read(path: Path = OPENAPI_PATH) -> bytes:
    """Return the OpenAPI document's bytes, refusing a file that is not JSON."""
    content = path.read_bytes()
    json.loads(content)
    return content


OPENAPI_DOCUMENT = openapi_read()


class BearerAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[UserData, None]:
        """Return the active user named by the request's bearer token, or answer 401."""
        authorization = request.headers.get("Authorization")
        if authorization is None:
            raise NotAuthenticated()
        parts = authorization.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise AuthenticationFailed()
        pk = token_decode(token=parts[1])
        user = None if pk is None else selectors.user_get(pk=pk)
        if user is None or not user.is_active:
            raise AuthenticationFailed()
        return user, None

    def authenticate_header(self, request: Request) -> str:
        # Without it DRF would turn the 401 into a 403.
        return "Bearer"


def current_user(request: Request) -> UserData:
    """Return the user BearerAuthentication attached to the request."""
    user: Any = request.user
    assert isinstance(user, UserData), "the view needs BearerAuthentication"
    return user


def json_body(request: Request, schema: type[serializers.Serializer[Any]]) -> Any:
    """Read an application/json body and return what `schema` validates it into."""
    media_type, _ = parse_header_parameters(request.content_type)
    if media_type != "application/json":
        raise UnsupportedMediaTypeError()
    try:
        data = request.data
    except UnreadablePostError:
        # The client went away mid-body: nobody will read the answer, and a client that
        # leaves is no server error (no traceback in the log).
        raise ValidationError(BODY_CUT_OFF_MESSAGE) from None
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.")
    serializer = schema(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApiView(APIView):
    """An APIView that answers 405 before authenticating, as a router would."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if (request.method or "").lower() not in self.http_method_names:
            self.http_method_not_allowed(request, *args, **kwargs)
        super().initial(request, *args, **kwargs)


class HealthView(ApiView):
    http_method_names = ["get"]

    def get(self, request: Request) -> Response:
        """Answer ok after one database round trip."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok", "framework": FRAMEWORK})


class OpenApiView(ApiView):
    http_method_names = ["get"]

    def get(self, request: Request) -> HttpResponse:
        """Serve the contract's OpenAPI document, byte for byte."""
        return HttpResponse(OPENAPI_DOCUMENT, content_type="application/json")


class RegisterView(ApiView):
    http_method_names = ["post"]

    def post(self, request: Request) -> Response:
        """Create an account and return a token for it."""
        body: Credentials = json_body(request, CredentialsIn)
        auth = services.user_register(email=body.email, password=body.password)
        return Response(AuthOut(auth).data, status=status.HTTP_201_CREATED)


class LoginView(ApiView):
    http_method_names = ["post"]

    def post(self, request: Request) -> Response:
        """Exchange an email and password for a token."""
        body: Credentials = json_body(request, CredentialsIn)
        auth = services.user_login(email=body.email, password=body.password)
        return Response(AuthOut(auth).data)


class ProductListView(ApiView):
    http_method_names = ["get"]

    def get(self, request: Request) -> Response:
        """List displayed products, paginated by limit and offset."""
        params = request.query_params
        limit_value, offset_value = parse_page(
            limit=params.get("limit"), offset=params.get("offset")
        )
        products = selectors.product_list(limit=limit_value, offset=offset_value)
        return Response(ProductSummaryOut(products, many=True).data)


class ProductDetailView(ApiView):
    http_method_names = ["get"]

    def get(self, request: Request, pk: str) -> Response:
        """Show one displayed product with its active items."""
        product_pk = parse_pk(pk)
        product = selectors.product_detail(pk=product_pk) if product_pk else None
        if product is None:
            raise NotFoundError()
        return Response(ProductDetailOut(product).data)


class OrderCreateView(ApiView):
    http_method_names = ["post"]
    authentication_classes = [BearerAuthentication]

    def post(self, request: Request) -> Response:
        """Place an order (201), or return the original one for a retry (200)."""
        user = current_user(request)
        body: OrderRequest = json_body(request, OrderIn)
        order, created = services.order_create(user_id=user.pk, payload=body)
        status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(OrderOut(order).data, status=status_code)


class OrderDetailView(ApiView):
    http_method_names = ["get"]
    authentication_classes = [BearerAuthentication]

    def get(self, request: Request, pk: str) -> Response:
        """Show one of the caller's orders."""
        user = current_user(request)
        order_pk = parse_pk(pk)
        order = selectors.order_get(pk=order_pk, user_id=user.pk) if order_pk else None
        if order is None:
            raise NotFoundError()
        return Response(OrderOut(order).data)
