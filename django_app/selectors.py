"""Read queries, one function per lookup an endpoint makes; each returns plain dataclasses."""

from __future__ import annotations

import dataclasses

from django.db.models import F, Min, OuterRef, Subquery

from django_app.data import (
    OrderData,
    OrderItemData,
    ProductDetail,
    ProductItemData,
    ProductSummary,
    UserData,
)
from django_app.models import Order, OrderItem, Product, ProductItem, User

_USER_COLUMNS = ("id", "email", "password", "is_active")
_ORDER_COLUMNS = (
    "id",
    "order_number",
    "user_id",
    "product_id",
    "status",
    "total_price",
    "created_dtm",
)


def product_list(*, limit: int, offset: int) -> list[ProductSummary]:
    """List displayed products by pk, each with the lowest price among its purchasable items."""
    lowest_price = (
        ProductItem.objects.on_sale()
        .filter(
            product_id=OuterRef("id"),
            is_active=True,
            sold_quantity__lt=F("item_quantity"),
        )
        .values("product_id")
        .annotate(lowest=Min("price"))
        .values("lowest")
    )
    rows = (
        Product.objects.filter(is_displayed=True)
        .annotate(price=Subquery(lowest_price))
        .order_by("id")
        .values_list("id", "name", "price")[offset : offset + limit]
    )
    return [ProductSummary(pk=pk, name=name, price=price) for pk, name, price in rows]


def product_detail(*, pk: int) -> ProductDetail | None:
    """Return a displayed product with its active items by pk, or None."""
    try:
        product_pk, name = Product.objects.values_list("id", "name").get(id=pk, is_displayed=True)
    except Product.DoesNotExist:
        return None
    rows = (
        ProductItem.objects.filter(product_id=pk, is_active=True)
        .order_by("id")
        .values_list("id", "name", "cost", "price", "item_quantity", "sold_quantity")
    )
    items = [ProductItemData(*row) for row in rows]
    return ProductDetail(pk=product_pk, name=name, items=items)


def order_get(*, pk: int, user_id: int) -> OrderData | None:
    """Return the user's order with its items, or None when it is missing or someone else's."""
    try:
        row = Order.objects.values_list(*_ORDER_COLUMNS).get(id=pk, user_id=user_id)
    except Order.DoesNotExist:
        return None
    order = OrderData(*row)
    return dataclasses.replace(order, items=order_items(order_id=order.pk))


def order_get_by_number(*, order_number: str) -> OrderData | None:
    """Return the order with this order number, without its items, or None."""
    try:
        row = Order.objects.values_list(*_ORDER_COLUMNS).get(order_number=order_number)
    except Order.DoesNotExist:
        return None
    return OrderData(*row)


def order_items(*, order_id: int) -> list[OrderItemData]:
    """Return an order's items by item_id."""
    rows = (
        OrderItem.objects.filter(order_id=order_id)
        .order_by("item_id")
        .values_list("id", "item_id", "quantity", "price")
    )
    return [OrderItemData(*row) for row in rows]


def user_get(*, pk: int) -> UserData | None:
    """Return the user with this pk, or None."""
    try:
        return UserData(*User.objects.values_list(*_USER_COLUMNS).get(id=pk))
    except User.DoesNotExist:
        return None


def user_get_by_email(*, email: str) -> UserData | None:
    """Return the user with this email, compared lower-cased, or None."""
    try:
        return UserData(*User.objects.values_list(*_USER_COLUMNS).get(email=email.lower()))
    except User.DoesNotExist:
        return None
