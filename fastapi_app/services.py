"""Writes: registering, logging in, and placing an order in one transaction."""

from __future__ import annotations

import dataclasses

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import BigInteger, case, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from fastapi_app.data import AuthData, OrderData, OrderItemData, UserData
from fastapi_app.db import atomic
from fastapi_app.errors import (
    DuplicateOrderNumberError,
    EmailTakenError,
    InvalidCredentialsError,
    OutOfStockError,
    ValidationError,
)
from fastapi_app.models import Order, OrderItem, Product, ProductItem, User
from fastapi_app.rules import ORDER_STATUS_COMPLETED
from fastapi_app.schemas import OrderIn
from fastapi_app.security import password_hash, password_verify, token_issue
from fastapi_app.selectors import order_get_by_number, order_items, user_get_by_email

UNIQUE_VIOLATION = "23505"


async def user_register(*, session: AsyncSession, email: str, password: str) -> AuthData:
    """Create a user with a hashed password and return a token for it."""
    email = email.lower()
    # PBKDF2 is deliberately slow; keep it off the event loop.
    encoded = await run_in_threadpool(password_hash, password=password)
    try:
        pk = (
            await session.execute(
                insert(User).values(email=email, password=encoded).returning(User.id)
            )
        ).scalar_one()
    except IntegrityError as exc:
        await session.rollback()
        if _sqlstate(exc) == UNIQUE_VIOLATION:
            raise EmailTakenError() from None
        raise
    await session.commit()
    user = UserData(pk=pk, email=email, password=encoded, is_active=True)
    return AuthData(token=token_issue(user_id=pk), user=user)


async def user_login(*, session: AsyncSession, email: str, password: str) -> AuthData:
    """Check an email and password and return a token; unknown email and wrong password alike."""
    user = await user_get_by_email(session=session, email=email)
    if user is None:
        # Spend the configured rounds, as a failed check of a known email does (password_verify
        # pads it), so the time taken does not tell which emails exist.
        await run_in_threadpool(password_hash, password=password)
        raise InvalidCredentialsError()
    valid = await run_in_threadpool(password_verify, password=password, encoded=user.password)
    if not valid or not user.is_active:
        raise InvalidCredentialsError()
    return AuthData(token=token_issue(user_id=user.pk), user=user)


async def order_create(
    *, session: AsyncSession, user_id: int, payload: OrderIn
) -> tuple[OrderData, bool]:
    """Place an order atomically; return (order, created), created False for a retry."""
    try:
        async with atomic(session):
            existing = await order_get_by_number(session=session, order_number=payload.order_number)
            if existing is not None:
                return await _order_replay(
                    session=session, order=existing, user_id=user_id, payload=payload
                ), False
            return await _order_insert(session=session, user_id=user_id, payload=payload), True
    except OutOfStockError:
        # A concurrent identical request may have committed while this one waited for locks.
        existing = await order_get_by_number(session=session, order_number=payload.order_number)
        if existing is None:
            raise
    except IntegrityError as exc:
        # Lost the race for the order number: answer as a retry or a duplicate.
        if _sqlstate(exc) != UNIQUE_VIOLATION:
            raise
        existing = await order_get_by_number(session=session, order_number=payload.order_number)
        if existing is None:
            raise
    return await _order_replay(
        session=session, order=existing, user_id=user_id, payload=payload
    ), False


async def _order_replay(
    *, session: AsyncSession, order: OrderData, user_id: int, payload: OrderIn
) -> OrderData:
    if order.user_id != user_id or order.product_id != payload.product_id:
        raise DuplicateOrderNumberError()
    items = await order_items(session=session, order_id=order.pk)
    stored = {(item.item_id, item.quantity) for item in items}
    requested = {(item.item_id, item.quantity) for item in payload.items}
    if stored != requested:
        raise DuplicateOrderNumberError()
    return dataclasses.replace(order, items=items)


async def _order_insert(*, session: AsyncSession, user_id: int, payload: OrderIn) -> OrderData:
    displayed = await session.scalar(
        select(Product.id).where(Product.id == payload.product_id, Product.is_displayed)
    )
    if displayed is None:
        raise ValidationError(fields={"product_id": "No such product."})

    quantities = {item.item_id: item.quantity for item in payload.items}
    # Locking in pk order everywhere is what keeps concurrent orders from deadlocking.
    locked = (
        await session.execute(
            select(
                ProductItem.id,
                ProductItem.price,
                ProductItem.item_quantity,
                ProductItem.sold_quantity,
            )
            .where(
                ProductItem.product_id == payload.product_id,
                ProductItem.id.in_(quantities),
                ProductItem.is_active,
                ProductItem.on_sale(),
            )
            .order_by(ProductItem.id)
            .with_for_update()
        )
    ).all()
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
    order_id, created_dtm = (
        await session.execute(
            insert(Order)
            .values(
                order_number=payload.order_number,
                user_id=user_id,
                product_id=payload.product_id,
                status=ORDER_STATUS_COMPLETED,
                total_price=total_price,
            )
            .returning(Order.id, Order.created_dtm)
        )
    ).one()
    lines = [
        {
            "order_id": order_id,
            "item_id": row.id,
            "quantity": quantities[row.id],
            "price": row.price,
        }
        for row in locked
    ]
    # One multi-row INSERT ... RETURNING id; PostgreSQL returns the rows in VALUES order
    # (tests/contract/test_orders.py checks it), as Django's bulk_create relies on too.
    returned = await session.execute(insert(OrderItem).values(lines).returning(OrderItem.id))
    item_pks = list(returned.scalars())
    # Typed keys: SQLAlchemy would cast small ids to INTEGER and large ones to BIGINT.
    added = case(
        *((literal(item_id, BigInteger), quantity) for item_id, quantity in quantities.items()),
        value=ProductItem.id,
    )
    await session.execute(
        update(ProductItem)
        .where(ProductItem.id.in_(quantities))
        .values(sold_quantity=ProductItem.sold_quantity + added)
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
            OrderItemData(
                pk=pk, item_id=line["item_id"], quantity=line["quantity"], price=line["price"]
            )
            for pk, line in zip(item_pks, lines, strict=True)
        ],
    )


def _sqlstate(exc: IntegrityError) -> str | None:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate if isinstance(sqlstate, str) else None
