"""Request and response shapes; request bodies take strict JSON types only (no 5.0, "5", true)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from fastapi_tuned_app.rules import (
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


def format_timestamp(value: datetime) -> str:
    """Render a timestamp as RFC 3339 UTC with exactly six fractional digits and a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _email(value: str) -> str:
    if EMAIL_RE.match(value) is None:
        raise PydanticCustomError("email", EMAIL_MESSAGE)
    return value.lower()


def _order_number(value: str) -> str:
    if ORDER_NUMBER_RE.match(value) is None:
        raise PydanticCustomError("order_number", ORDER_NUMBER_MESSAGE)
    return value


Email = Annotated[str, AfterValidator(_email)]
Password = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]
OrderNumber = Annotated[str, AfterValidator(_order_number)]
Id = Annotated[int, Field(ge=1, le=MAX_BIGINT)]
Quantity = Annotated[int, Field(ge=QUANTITY_MIN, le=QUANTITY_MAX)]
Timestamp = Annotated[datetime, PlainSerializer(format_timestamp, return_type=str)]


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CredentialsIn(_Body):
    email: Email
    password: Password


class OrderItemIn(_Body):
    item_id: Id
    quantity: Quantity


class OrderIn(_Body):
    order_number: OrderNumber
    product_id: Id
    items: Annotated[
        list[OrderItemIn], Field(min_length=ORDER_ITEMS_MIN, max_length=ORDER_ITEMS_MAX)
    ]

    @field_validator("items")
    @classmethod
    def _unique_item_ids(cls, items: list[OrderItemIn]) -> list[OrderItemIn]:
        if len({item.item_id for item in items}) != len(items):
            raise PydanticCustomError("unique_items", UNIQUE_ITEMS_MESSAGE)
        return items


class UserOut(_Out):
    pk: int
    email: str


class AuthOut(_Out):
    token: str
    user: UserOut


class ProductSummaryOut(_Out):
    pk: int
    name: str
    price: int | None
    is_active: bool


class ProductItemOut(_Out):
    pk: int
    name: str
    cost: int
    price: int
    discount: int
    item_quantity: int
    sold_quantity: int


class ProductDetailOut(_Out):
    pk: int
    name: str
    items: list[ProductItemOut]


class OrderItemOut(_Out):
    pk: int
    item_id: int
    quantity: int
    price: int


class OrderOut(_Out):
    pk: int
    order_number: str
    status: str
    product_id: int
    total_price: int
    created_dtm: Timestamp
    items: list[OrderItemOut]
