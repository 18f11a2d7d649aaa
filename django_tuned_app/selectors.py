"""Read queries, one function per lookup an endpoint makes; each returns plain dataclasses."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db import connection

from django_tuned_app.data import (
    OrderData,
    OrderItemData,
    ProductDetail,
    ProductItemData,
    ProductSummary,
    UserData,
)

# The sale window at the database's now(), as docs/DECISIONS.md words it.
ON_SALE_SQL = (
    "(i.sale_start_dtm IS NULL OR i.sale_start_dtm <= now())"
    " AND (i.sale_close_dtm IS NULL OR i.sale_close_dtm > now())"
)
_PRODUCT_LIST_SQL = (
    "SELECT p.id, p.name, (SELECT min(i.price) FROM tb_product_item i"
    f" WHERE i.product_id = p.id AND i.is_active AND {ON_SALE_SQL}"
    " AND i.sold_quantity < i.item_quantity) AS price"
    " FROM tb_product p WHERE p.is_displayed ORDER BY p.id LIMIT %s OFFSET %s"
)
_PRODUCT_SQL = "SELECT id, name FROM tb_product WHERE id = %s AND is_displayed"
_PRODUCT_ITEMS_SQL = (
    "SELECT id, name, cost, price, item_quantity, sold_quantity FROM tb_product_item"
    " WHERE product_id = %s AND is_active ORDER BY id"
)
_ORDER_COLUMNS = "id, order_number, user_id, product_id, status, total_price, created_dtm"
_ORDER_SQL = f"SELECT {_ORDER_COLUMNS} FROM tb_order WHERE id = %s AND user_id = %s"
_ORDER_BY_NUMBER_SQL = f"SELECT {_ORDER_COLUMNS} FROM tb_order WHERE order_number = %s"
_ORDER_ITEMS_SQL = (
    "SELECT id, item_id, quantity, price FROM tb_order_item WHERE order_id = %s ORDER BY item_id"
)
_USER_COLUMNS = "id, email, password, is_active"
_USER_SQL = f"SELECT {_USER_COLUMNS} FROM tb_auth_user WHERE id = %s"
_USER_BY_EMAIL_SQL = f"SELECT {_USER_COLUMNS} FROM tb_auth_user WHERE email = %s"


def _fetchone(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def _fetchall(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def product_list(*, limit: int, offset: int) -> list[ProductSummary]:
    """List displayed products by pk, each with the lowest price among its purchasable items."""
    rows = _fetchall(_PRODUCT_LIST_SQL, (limit, offset))
    return [ProductSummary(pk, name, price) for pk, name, price in rows]


def product_detail(*, pk: int) -> ProductDetail | None:
    """Return a displayed product with its active items by pk, or None."""
    product = _fetchone(_PRODUCT_SQL, (pk,))
    if product is None:
        return None
    items = [ProductItemData(*row) for row in _fetchall(_PRODUCT_ITEMS_SQL, (pk,))]
    return ProductDetail(pk=product[0], name=product[1], items=items)


def order_get(*, pk: int, user_id: int) -> OrderData | None:
    """Return the user's order with its items, or None when it is missing or someone else's."""
    row = _fetchone(_ORDER_SQL, (pk, user_id))
    if row is None:
        return None
    order = OrderData(*row)
    return dataclasses.replace(order, items=order_items(order_id=order.pk))


def order_get_by_number(*, order_number: str) -> OrderData | None:
    """Return the order with this order number, without its items, or None."""
    row = _fetchone(_ORDER_BY_NUMBER_SQL, (order_number,))
    return None if row is None else OrderData(*row)


def order_items(*, order_id: int) -> list[OrderItemData]:
    """Return an order's items by item_id."""
    return [OrderItemData(*row) for row in _fetchall(_ORDER_ITEMS_SQL, (order_id,))]


def user_get(*, pk: int) -> UserData | None:
    """Return the user with this pk, or None."""
    row = _fetchone(_USER_SQL, (pk,))
    return None if row is None else UserData(*row)


def user_get_by_email(*, email: str) -> UserData | None:
    """Return the user with this email, compared lower-cased, or None."""
    row = _fetchone(_USER_BY_EMAIL_SQL, (email.lower(),))
    return None if row is None else UserData(*row)
