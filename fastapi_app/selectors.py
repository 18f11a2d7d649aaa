"""Read queries, one function per lookup an endpoint makes; each returns plain dataclasses."""

from __future__ import annotations

import dataclasses

from sqlalchemy import BigInteger, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fastapi_app.data import (
    OrderData,
    OrderItemData,
    ProductDetail,
    ProductItemData,
    ProductSummary,
    UserData,
)
from fastapi_app.models import Order, OrderItem, Product, ProductItem, User

_ORDER_COLUMNS = (
    Order.id,
    Order.order_number,
    Order.user_id,
    Order.product_id,
    Order.status,
    Order.total_price,
    Order.created_dtm,
)


async def product_list(*, session: AsyncSession, limit: int, offset: int) -> list[ProductSummary]:
    """List displayed products by pk, each with the lowest price among its purchasable items."""
    lowest_price = (
        select(func.min(ProductItem.price))
        .where(
            ProductItem.product_id == Product.id,
            ProductItem.is_active,
            ProductItem.on_sale(),
            ProductItem.sold_quantity < ProductItem.item_quantity,
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Product.id, Product.name, lowest_price)
        .where(Product.is_displayed)
        .order_by(Product.id)
        # Offsets go up to 2**63 - 1; SQLAlchemy would otherwise bind them as 32-bit integers.
        .limit(bindparam("limit", limit, type_=BigInteger))
        .offset(bindparam("offset", offset, type_=BigInteger))
    )
    return [ProductSummary(pk=pk, name=name, price=price) for pk, name, price in rows]


async def product_detail(*, session: AsyncSession, pk: int) -> ProductDetail | None:
    """Return a displayed product with its active items by pk, or None."""
    product = (
        await session.execute(
            select(Product.id, Product.name).where(Product.id == pk, Product.is_displayed)
        )
    ).one_or_none()
    if product is None:
        return None
    rows = await session.execute(
        select(
            ProductItem.id,
            ProductItem.name,
            ProductItem.cost,
            ProductItem.price,
            ProductItem.item_quantity,
            ProductItem.sold_quantity,
        )
        .where(ProductItem.product_id == pk, ProductItem.is_active)
        .order_by(ProductItem.id)
    )
    items = [ProductItemData(*row) for row in rows]
    return ProductDetail(pk=product.id, name=product.name, items=items)


async def order_get(*, session: AsyncSession, pk: int, user_id: int) -> OrderData | None:
    """Return the user's order with its items, or None when it is missing or someone else's."""
    row = (
        await session.execute(
            select(*_ORDER_COLUMNS).where(Order.id == pk, Order.user_id == user_id)
        )
    ).one_or_none()
    if row is None:
        return None
    order = OrderData(*row)
    return dataclasses.replace(order, items=await order_items(session=session, order_id=order.pk))


async def order_get_by_number(*, session: AsyncSession, order_number: str) -> OrderData | None:
    """Return the order with this order number, without its items, or None."""
    row = (
        await session.execute(select(*_ORDER_COLUMNS).where(Order.order_number == order_number))
    ).one_or_none()
    return None if row is None else OrderData(*row)


async def order_items(*, session: AsyncSession, order_id: int) -> list[OrderItemData]:
    """Return an order's items by item_id."""
    rows = await session.execute(
        select(OrderItem.id, OrderItem.item_id, OrderItem.quantity, OrderItem.price)
        .where(OrderItem.order_id == order_id)
        .order_by(OrderItem.item_id)
    )
    return [OrderItemData(*row) for row in rows]


async def user_get(*, session: AsyncSession, pk: int) -> UserData | None:
    """Return the user with this pk, or None."""
    row = (
        await session.execute(
            select(User.id, User.email, User.password, User.is_active).where(User.id == pk)
        )
    ).one_or_none()
    return None if row is None else UserData(*row)


async def user_get_by_email(*, session: AsyncSession, email: str) -> UserData | None:
    """Return the user with this email, compared lower-cased, or None."""
    row = (
        await session.execute(
            select(User.id, User.email, User.password, User.is_active).where(
                User.email == email.lower()
            )
        )
    ).one_or_none()
    return None if row is None else UserData(*row)
