"""Request and response shapes; request bodies take strict JSON types only (no 5.0, "5", true)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from floor_app.data import AuthData, OrderData, ProductDetail, ProductSummary
from floor_app.errors import ValidationError
from floor_app.rules import (
    EMAIL_MESSAGE,
    EMAIL_RE,
    MAX_BIGINT,
    ORDER_ITEMS_MAX,
    ORDER_ITEMS_MIN,
    ORDER_NUMBER_MESSAGE,
    ORDER_NUMBER_RE,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    QUANTITY_MAX,
    QUANTITY_MIN,
    UNIQUE_ITEMS_MESSAGE,
)

# Checked by hand: with two small body shapes, a validation library would be the biggest
# cost left, and the floor measures what the contract needs, not a library's generality.


@dataclass(frozen=True, slots=True)
class Credentials:
    email: str
    password: str


@dataclass(frozen=True, slots=True)
class OrderItemRequest:
    item_id: int
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderRequest:
    order_number: str
    product_id: int
    items: list[OrderItemRequest]


def format_timestamp(value: datetime) -> str:
    """Render a timestamp as RFC 3339 UTC with exactly six fractional digits and a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int(value: Any, minimum: int, maximum: int) -> int | None:
    # bool is an int subclass; JSON true is not a number.
    if type(value) is not int or not minimum <= value <= maximum:
        return None
    return value


def _email_error(value: Any) -> str | None:
    if not isinstance(value, str):
        return "A string is required."
    return EMAIL_MESSAGE if EMAIL_RE.match(value) is None else None


def _password_error(value: Any) -> str | None:
    if not isinstance(value, str):
        return "A string is required."
    if not PASSWORD_MIN_LENGTH <= len(value) <= PASSWORD_MAX_LENGTH:
        return f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."
    try:
        value.encode()
    except UnicodeEncodeError:
        # A lone surrogate (from a \ud800 escape) can be neither hashed nor stored.
        return "Lone surrogates are not text."
    return None


def credentials_in(data: dict[str, Any]) -> Credentials:
    """Validate a register/login body: an email and a password of 8 to 128 characters."""
    email, password = data.get("email"), data.get("password")
    errors = {"email": _email_error(email), "password": _password_error(password)}
    fields = {name: message for name, message in errors.items() if message is not None}
    if fields:
        raise ValidationError(fields=fields)
    assert isinstance(email, str) and isinstance(password, str)
    return Credentials(email=email.lower(), password=password)


def _order_item(index: int, value: Any, fields: dict[str, str]) -> OrderItemRequest | None:
    if not isinstance(value, dict):
        fields[f"items.{index}"] = "An object is required."
        return None
    item_id = _int(value.get("item_id"), 1, MAX_BIGINT)
    quantity = _int(value.get("quantity"), QUANTITY_MIN, QUANTITY_MAX)
    if item_id is None:
        fields[f"items.{index}.item_id"] = f"A whole number from 1 to {MAX_BIGINT} is required."
    if quantity is None:
        fields[f"items.{index}.quantity"] = (
            f"A whole number from {QUANTITY_MIN} to {QUANTITY_MAX} is required."
        )
    if item_id is None or quantity is None:
        return None
    return OrderItemRequest(item_id=item_id, quantity=quantity)


def order_in(data: dict[str, Any]) -> OrderRequest:
    """Validate an order body: order number, product id and 1 to 20 distinct items."""
    fields: dict[str, str] = {}
    order_number = data.get("order_number")
    if not isinstance(order_number, str) or ORDER_NUMBER_RE.match(order_number) is None:
        fields["order_number"] = ORDER_NUMBER_MESSAGE
    product_id = _int(data.get("product_id"), 1, MAX_BIGINT)
    if product_id is None:
        fields["product_id"] = f"A whole number from 1 to {MAX_BIGINT} is required."
    raw_items = data.get("items")
    items: list[OrderItemRequest] = []
    if not isinstance(raw_items, list) or not ORDER_ITEMS_MIN <= len(raw_items) <= ORDER_ITEMS_MAX:
        fields["items"] = f"A list of {ORDER_ITEMS_MIN} to {ORDER_ITEMS_MAX} items is required."
    else:
        parsed = [_order_item(index, value, fields) for index, value in enumerate(raw_items)]
        items = [item for item in parsed if item is not None]
        if len(items) == len(raw_items) and len({item.item_id for item in items}) != len(items):
            fields["items"] = UNIQUE_ITEMS_MESSAGE
    if fields:
        raise ValidationError(fields=fields)
    assert isinstance(order_number, str) and product_id is not None
    return OrderRequest(order_number=order_number, product_id=product_id, items=items)


def auth_out(auth: AuthData) -> dict[str, Any]:
    """The register and login answer."""
    return {"token": auth.token, "user": {"pk": auth.user.pk, "email": auth.user.email}}


def product_summary_out(products: list[ProductSummary]) -> list[dict[str, Any]]:
    """The product list answer."""
    return [
        {"pk": p.pk, "name": p.name, "price": p.price, "is_active": p.price is not None}
        for p in products
    ]


def product_detail_out(product: ProductDetail) -> dict[str, Any]:
    """The product detail answer."""
    return {
        "pk": product.pk,
        "name": product.name,
        "items": [
            {
                "pk": item.pk,
                "name": item.name,
                "cost": item.cost,
                "price": item.price,
                "discount": item.discount,
                "item_quantity": item.item_quantity,
                "sold_quantity": item.sold_quantity,
            }
            for item in product.items
        ],
    }


def order_out(order: OrderData) -> dict[str, Any]:
    """The order answer."""
    return {
        "pk": order.pk,
        "order_number": order.order_number,
        "status": order.status,
        "product_id": order.product_id,
        "total_price": order.total_price,
        "created_dtm": format_timestamp(order.created_dtm),
        "items": [
            {"pk": i.pk, "item_id": i.item_id, "quantity": i.quantity, "price": i.price}
            for i in order.items
        ],
    }
