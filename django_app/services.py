"""Writes: registering, logging in, and placing an order in one transaction."""

from __future__ import annotations

import dataclasses

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When

from django_app.data import AuthData, OrderData, OrderItemData, UserData
from django_app.errors import (
    DuplicateOrderNumberError,
    EmailTakenError,
    InvalidCredentialsError,
    OutOfStockError,
    ValidationError,
)
from django_app.models import Order, OrderItem, Product, ProductItem, User
from django_app.rules import ORDER_STATUS_COMPLETED
from django_app.schemas import OrderRequest
from django_app.security import password_hash, password_verify, token_issue
from django_app.selectors import order_get_by_number, order_items, user_get_by_email

UNIQUE_VIOLATION = "23505"


def user_register(*, email: str, password: str) -> AuthData:
    """Create a user with a hashed password and return a token for it."""
    email = email.lower()
    encoded = password_hash(password=password)
    try:
        pk = User.objects.create(email=email, password=encoded).pk
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
        # Spend the configured rounds, as a failed check of a known email does (password_verify
        # pads it), so the time taken does not tell which emails exist.
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
    displayed = Product.objects.filter(id=payload.product_id, is_displayed=True).exists()
    if not displayed:
        raise ValidationError(fields={"product_id": "No such product."})

    quantities = {item.item_id: item.quantity for item in payload.items}
    # Locking in pk order everywhere is what keeps concurrent orders from deadlocking.
    rows = (
        ProductItem.objects.on_sale()
        .filter(product_id=payload.product_id, id__in=quantities, is_active=True)
        .order_by("id")
        .select_for_update()
        .values_list("id", "price", "item_quantity", "sold_quantity", named=True)
    )
    locked = list(rows)
    found = {row.id for row in locked}
    missing = {
        f"items.{index}.item_id": "Not a purchasable item of this product."
        for index, item in enumerate(payload.items)
        if item.item_id not in found
    }
    if missing:
        raise ValidationError(fields=missing)
    if any(row.sold_quantity + quantities[row.id] > row.item_quantity for row in locked):
        raise OutOfStockError()

    total_price = sum(row.price * quantities[row.id] for row in locked)
    order = Order.objects.create(
        order_number=payload.order_number,
        user_id=user_id,
        product_id=payload.product_id,
        status=ORDER_STATUS_COMPLETED,
        total_price=total_price,
    )
    # One multi-row INSERT ... RETURNING id; PostgreSQL returns the rows in VALUES order
    # (tests/contract/test_orders.py checks it), and bulk_create sets each object's pk so.
    lines = OrderItem.objects.bulk_create(
        OrderItem(order_id=order.pk, item_id=row.id, quantity=quantities[row.id], price=row.price)
        for row in locked
    )
    ProductItem.objects.filter(id__in=quantities).update(
        sold_quantity=F("sold_quantity")
        + Case(
            *(When(id=item_id, then=Value(quantity)) for item_id, quantity in quantities.items()),
            output_field=IntegerField(),
        )
    )
    return OrderData(
        pk=order.pk,
        order_number=payload.order_number,
        user_id=user_id,
        product_id=payload.product_id,
        status=ORDER_STATUS_COMPLETED,
        total_price=total_price,
        created_dtm=order.created_dtm,
        items=[
            OrderItemData(
                pk=line.pk, item_id=line.item_id, quantity=line.quantity, price=line.price
            )
            for line in lines
        ],
    )


def _sqlstate(exc: IntegrityError) -> str | None:
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None
