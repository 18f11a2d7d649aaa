"""Writes: registering, logging in, and placing an order in one transaction."""

from __future__ import annotations

import dataclasses
import functools

from django.db import IntegrityError, connection, transaction

from django_tuned_app.data import AuthData, OrderData, OrderItemData, UserData
from django_tuned_app.errors import (
    DuplicateOrderNumberError,
    EmailTakenError,
    InvalidCredentialsError,
    OutOfStockError,
    ValidationError,
)
from django_tuned_app.schemas import OrderRequest
from django_tuned_app.security import password_hash, password_verify, token_issue
from django_tuned_app.selectors import (
    ON_SALE_SQL,
    order_get_by_number,
    order_items,
    user_get_by_email,
)

ORDER_STATUS_COMPLETED = "COMPLETED"
UNIQUE_VIOLATION = "23505"

_USER_INSERT_SQL = "INSERT INTO tb_auth_user (email, password) VALUES (%s, %s) RETURNING id"
_PRODUCT_DISPLAYED_SQL = "SELECT 1 FROM tb_product WHERE id = %s AND is_displayed"
# Locking in pk order everywhere is what keeps concurrent orders from deadlocking.
_ITEMS_LOCK_SQL = (
    "SELECT i.id, i.price, i.item_quantity, i.sold_quantity FROM tb_product_item i"
    f" WHERE i.product_id = %s AND i.id = ANY(%s) AND i.is_active AND {ON_SALE_SQL}"
    " ORDER BY i.id FOR UPDATE"
)
_ORDER_INSERT_SQL = (
    "INSERT INTO tb_order (order_number, user_id, product_id, status, total_price)"
    " VALUES (%s, %s, %s, %s, %s) RETURNING id, created_dtm"
)


@functools.cache
def _order_items_insert_sql(count: int) -> str:
    """One multi-row INSERT for `count` lines of (order_id, item_id, quantity, price)."""
    rows = ", ".join(["(%s, %s, %s, %s)"] * count)
    return (
        "INSERT INTO tb_order_item (order_id, item_id, quantity, price)"
        f" VALUES {rows} RETURNING item_id, id"
    )


@functools.cache
def _stock_update_sql(count: int) -> str:
    """The searched-CASE stock UPDATE of docs/DECISIONS.md for `count` items."""
    whens = " ".join(["WHEN id = %s THEN %s"] * count)
    ids = ", ".join(["%s"] * count)
    return (
        f"UPDATE tb_product_item SET sold_quantity = sold_quantity + CASE {whens} END"
        f" WHERE id IN ({ids})"
    )


def user_register(*, email: str, password: str) -> AuthData:
    """Create a user with a hashed password and return a token for it."""
    email = email.lower()
    encoded = password_hash(password=password)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_USER_INSERT_SQL, (email, encoded))
            pk: int = cursor.fetchone()[0]
    except IntegrityError as exc:
        if _sqlstate(exc) == UNIQUE_VIOLATION:
            raise EmailTakenError() from None
        raise
    user = UserData(pk=pk, email=email, password=encoded, is_active=True)
    return AuthData(token=token_issue(user_id=pk), user=user)


def user_login(*, email: str, password: str) -> AuthData:
    """Check an email and password and return a token; unknown email and wrong password alike."""
    user = user_get_by_email(email=email)
    if user is None:
        # Spend the same hashing time as a real check, so timing does not reveal the email.
        password_hash(password=password)
        raise InvalidCredentialsError()
    valid = password_verify(password=password, encoded=user.password)
    if not valid or not user.is_active:
        raise InvalidCredentialsError()
    return AuthData(token=token_issue(user_id=user.pk), user=user)


def order_create(*, user_id: int, payload: OrderRequest) -> tuple[OrderData, bool]:
    """Place an order atomically; return (order, created), created False for a retry."""
    try:
        with transaction.atomic():
            existing = order_get_by_number(order_number=payload.order_number)
            if existing is not None:
                return _order_replay(order=existing, user_id=user_id, payload=payload), False
            return _order_insert(user_id=user_id, payload=payload), True
    except OutOfStockError:
        # A concurrent identical request may have committed while this one waited for locks.
        existing = order_get_by_number(order_number=payload.order_number)
        if existing is None:
            raise
    except IntegrityError as exc:
        # Lost the race for the order number: answer as a retry or a duplicate.
        if _sqlstate(exc) != UNIQUE_VIOLATION:
            raise
        existing = order_get_by_number(order_number=payload.order_number)
        if existing is None:
            raise
    return _order_replay(order=existing, user_id=user_id, payload=payload), False


def _order_replay(*, order: OrderData, user_id: int, payload: OrderRequest) -> OrderData:
    if order.user_id != user_id or order.product_id != payload.product_id:
        raise DuplicateOrderNumberError()
    items = order_items(order_id=order.pk)
    stored = {(item.item_id, item.quantity) for item in items}
    requested = {(item.item_id, item.quantity) for item in payload.items}
    if stored != requested:
        raise DuplicateOrderNumberError()
    return dataclasses.replace(order, items=items)


def _order_insert(*, user_id: int, payload: OrderRequest) -> OrderData:
    quantities = {item.item_id: item.quantity for item in payload.items}
    with connection.cursor() as cursor:
        cursor.execute(_PRODUCT_DISPLAYED_SQL, (payload.product_id,))
        if cursor.fetchone() is None:
            raise ValidationError(fields={"product_id": "No such product."})

        cursor.execute(_ITEMS_LOCK_SQL, (payload.product_id, list(quantities)))
        locked = cursor.fetchall()
        found = {row[0] for row in locked}
        missing = {
            f"items.{index}.item_id": "Not a purchasable item of this product."
            for index, item in enumerate(payload.items)
            if item.item_id not in found
        }
        if missing:
            raise ValidationError(fields=missing)
        if any(sold + quantities[pk] > stock for pk, _, stock, sold in locked):
            raise OutOfStockError()

        total_price = sum(price * quantities[pk] for pk, price, _, _ in locked)
        cursor.execute(
            _ORDER_INSERT_SQL,
            (
                payload.order_number,
                user_id,
                payload.product_id,
                ORDER_STATUS_COMPLETED,
                total_price,
            ),
        )
        order_id, created_dtm = cursor.fetchone()
        lines = [(pk, quantities[pk], price) for pk, price, _, _ in locked]
        # RETURNING order is not guaranteed to follow VALUES order, so map pks back by item_id.
        cursor.execute(
            _order_items_insert_sql(len(lines)),
            [v for line in lines for v in (order_id, *line)],
        )
        item_pks = {item_id: pk for item_id, pk in cursor.fetchall()}
        cursor.execute(
            _stock_update_sql(len(quantities)),
            [*(v for pair in quantities.items() for v in pair), *quantities],
        )
    return OrderData(
        pk=order_id,
        order_number=payload.order_number,
        user_id=user_id,
        product_id=payload.product_id,
        status=ORDER_STATUS_COMPLETED,
        total_price=total_price,
        created_dtm=created_dtm,
        items=[
            OrderItemData(pk=item_pks[pk], item_id=pk, quantity=quantity, price=price)
            for pk, quantity, price in lines
        ],
    )


def _sqlstate(exc: IntegrityError) -> str | None:
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None
