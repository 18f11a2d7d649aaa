"""Writes: registering, logging in, and placing an order in one transaction."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable
from typing import TypeVar

import asyncpg

from floor_app.data import AuthData, OrderData, OrderItemData, UserData
from floor_app.db import Connection, atomic
from floor_app.errors import (
    DuplicateOrderNumberError,
    EmailTakenError,
    InvalidCredentialsError,
    OutOfStockError,
    ValidationError,
)
from floor_app.schemas import OrderRequest
from floor_app.security import password_hash, password_verify, token_issue
from floor_app.selectors import (
    ON_SALE_SQL,
    order_get_by_number,
    order_items,
    user_get_by_email,
)

ORDER_STATUS_COMPLETED = "COMPLETED"

T = TypeVar("T")

_USER_INSERT_SQL = "INSERT INTO tb_auth_user (email, password) VALUES ($1, $2) RETURNING id"
_PRODUCT_DISPLAYED_SQL = "SELECT 1 FROM tb_product WHERE id = $1 AND is_displayed"
# Locking in pk order everywhere is what keeps concurrent orders from deadlocking.
_ITEMS_LOCK_SQL = (
    "SELECT i.id, i.price, i.item_quantity, i.sold_quantity FROM tb_product_item i"
    f" WHERE i.product_id = $1 AND i.id = ANY($2::bigint[]) AND i.is_active AND {ON_SALE_SQL}"
    " ORDER BY i.id FOR UPDATE"
)
_ORDER_INSERT_SQL = (
    "INSERT INTO tb_order (order_number, user_id, product_id, status, total_price)"
    " VALUES ($1, $2, $3, $4, $5) RETURNING id, created_dtm"
)


@functools.cache
def _order_items_insert_sql(count: int) -> str:
    """One multi-row INSERT for `count` lines; $1 is the order id, then 3 values per line."""
    rows = ", ".join(f"($1, ${3 * n + 2}, ${3 * n + 3}, ${3 * n + 4})" for n in range(count))
    return (
        "INSERT INTO tb_order_item (order_id, item_id, quantity, price)"
        f" VALUES {rows} RETURNING item_id, id"
    )


@functools.cache
def _stock_update_sql(count: int) -> str:
    """The searched-CASE stock UPDATE of docs/DECISIONS.md for `count` items, 2 values each."""
    whens = " ".join(f"WHEN id = ${2 * n + 1} THEN ${2 * n + 2}::integer" for n in range(count))
    ids = ", ".join(f"${2 * n + 1}" for n in range(count))
    return (
        f"UPDATE tb_product_item SET sold_quantity = sold_quantity + CASE {whens} END"
        f" WHERE id IN ({ids})"
    )


async def _off_loop(function: Callable[[], T]) -> T:
    # PBKDF2 is deliberately slow; keep it off the event loop.
    return await asyncio.get_running_loop().run_in_executor(None, function)


async def user_register(*, conn: Connection, email: str, password: str) -> AuthData:
    """Create a user with a hashed password and return a token for it."""
    email = email.lower()
    encoded = await _off_loop(functools.partial(password_hash, password=password))
    try:
        pk: int = await conn.fetchval(_USER_INSERT_SQL, email, encoded)
    except asyncpg.UniqueViolationError:
        raise EmailTakenError() from None
    user = UserData(pk=pk, email=email, password=encoded, is_active=True)
    return AuthData(token=token_issue(user_id=pk), user=user)


async def user_login(*, conn: Connection, email: str, password: str) -> AuthData:
    """Check an email and password and return a token; unknown email and wrong password alike."""
    user = await user_get_by_email(conn=conn, email=email)
    if user is None:
        # Spend the same hashing time as a real check, so timing does not reveal the email.
        await _off_loop(functools.partial(password_hash, password=password))
        raise InvalidCredentialsError()
    valid = await _off_loop(
        functools.partial(password_verify, password=password, encoded=user.password)
    )
    if not valid or not user.is_active:
        raise InvalidCredentialsError()
    return AuthData(token=token_issue(user_id=user.pk), user=user)


async def order_create(
    *, conn: Connection, user_id: int, payload: OrderRequest
) -> tuple[OrderData, bool]:
    """Place an order atomically; return (order, created), created False for a retry."""
    try:
        async with atomic(conn):
            existing = await order_get_by_number(conn=conn, order_number=payload.order_number)
            if existing is not None:
                return await _order_replay(
                    conn=conn, order=existing, user_id=user_id, payload=payload
                ), False
            return await _order_insert(conn=conn, user_id=user_id, payload=payload), True
    except OutOfStockError:
        # A concurrent identical request may have committed while this one waited for locks.
        existing = await order_get_by_number(conn=conn, order_number=payload.order_number)
        if existing is None:
            raise
    except asyncpg.UniqueViolationError:
        # Lost the race for the order number: answer as a retry or a duplicate.
        existing = await order_get_by_number(conn=conn, order_number=payload.order_number)
        if existing is None:
            raise
    return await _order_replay(conn=conn, order=existing, user_id=user_id, payload=payload), False


async def _order_replay(
    *, conn: Connection, order: OrderData, user_id: int, payload: OrderRequest
) -> OrderData:
    if order.user_id != user_id or order.product_id != payload.product_id:
        raise DuplicateOrderNumberError()
    items = await order_items(conn=conn, order_id=order.pk)
    stored = {(item.item_id, item.quantity) for item in items}
    requested = {(item.item_id, item.quantity) for item in payload.items}
    if stored != requested:
        raise DuplicateOrderNumberError()
    return dataclasses.replace(order, items=items)


async def _order_insert(*, conn: Connection, user_id: int, payload: OrderRequest) -> OrderData:
    displayed = await conn.fetchval(_PRODUCT_DISPLAYED_SQL, payload.product_id)
    if displayed is None:
        raise ValidationError(fields={"product_id": "No such product."})

    quantities = {item.item_id: item.quantity for item in payload.items}
    locked = await conn.fetch(_ITEMS_LOCK_SQL, payload.product_id, list(quantities))
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
    inserted = await conn.fetchrow(
        _ORDER_INSERT_SQL,
        payload.order_number,
        user_id,
        payload.product_id,
        ORDER_STATUS_COMPLETED,
        total_price,
    )
    assert inserted is not None, "INSERT ... RETURNING returns its row"
    order_id, created_dtm = inserted
    lines = [(pk, quantities[pk], price) for pk, price, _, _ in locked]
    # RETURNING order is not guaranteed to follow VALUES order, so map pks back by item_id.
    returned = await conn.fetch(
        _order_items_insert_sql(len(lines)), order_id, *(v for line in lines for v in line)
    )
    item_pks = {item_id: pk for item_id, pk in returned}
    await conn.execute(
        _stock_update_sql(len(quantities)), *(v for pair in quantities.items() for v in pair)
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
