"""SQLAlchemy mappings of the shared tables, which infra/schema.sql owns and creates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    ForeignKey,
    Integer,
    String,
    and_,
    func,
    or_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {int: BigInteger, datetime: DateTime(timezone=True)}


class User(Base):
    __tablename__ = "tb_auth_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    password: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(server_default="true")
    created_dtm: Mapped[datetime] = mapped_column(server_default=func.now())


class Product(Base):
    __tablename__ = "tb_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_displayed: Mapped[bool] = mapped_column(server_default="true")
    created_dtm: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_dtm: Mapped[datetime] = mapped_column(server_default=func.now())


class ProductItem(Base):
    __tablename__ = "tb_product_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("tb_product.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    cost: Mapped[int]
    price: Mapped[int]
    is_active: Mapped[bool] = mapped_column(server_default="true")
    sale_start_dtm: Mapped[datetime | None]
    sale_close_dtm: Mapped[datetime | None]
    item_quantity: Mapped[int] = mapped_column(Integer)
    sold_quantity: Mapped[int] = mapped_column(Integer, server_default="0")
    created_dtm: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_dtm: Mapped[datetime] = mapped_column(server_default=func.now())

    @classmethod
    def on_sale(cls) -> ColumnElement[bool]:
        """SQL condition: the item's sale window is open at the database's now()."""
        return and_(
            or_(cls.sale_start_dtm.is_(None), cls.sale_start_dtm <= func.now()),
            or_(cls.sale_close_dtm.is_(None), cls.sale_close_dtm > func.now()),
        )


class Order(Base):
    __tablename__ = "tb_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_number: Mapped[str] = mapped_column(String(100), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("tb_auth_user.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("tb_product.id"))
    status: Mapped[str] = mapped_column(String(10))
    total_price: Mapped[int]
    created_dtm: Mapped[datetime] = mapped_column(server_default=func.now())


class OrderItem(Base):
    __tablename__ = "tb_order_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("tb_order.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("tb_product_item.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[int]
    created_dtm: Mapped[datetime] = mapped_column(server_default=func.now())
