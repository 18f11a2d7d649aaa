"""Request and response shapes; request bodies take strict JSON types only (no 5.0, "5", true)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers

from django_app.rules import (
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


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only; DRF's IntegerField would also take true, 5.0 and "5"."""

    def to_internal_value(self, data: Any) -> int:
        if type(data) is not int:
            self.fail("invalid")
        return data


class StrictCharField(serializers.CharField):
    """A JSON string only, kept as sent; DRF's CharField would also take 5 and strip spaces."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)
        # NUL is a valid password character (it is hashed, never stored); email and order
        # number patterns exclude it anyway. Lone surrogates stay refused: they cannot be
        # encoded, so they could be neither hashed nor stored.
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class CredentialsIn(serializers.Serializer[Any]):
    email = StrictCharField()
    password = StrictCharField(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)

    def validate_email(self, value: str) -> str:
        if EMAIL_RE.match(value) is None:
            raise serializers.ValidationError(EMAIL_MESSAGE)
        return value.lower()

    def to_internal_value(self, data: Any) -> Credentials:
        return Credentials(**super().to_internal_value(data))


class OrderItemIn(serializers.Serializer[Any]):
    item_id = StrictIntegerField(min_value=1, max_value=MAX_BIGINT)
    quantity = StrictIntegerField(min_value=QUANTITY_MIN, max_value=QUANTITY_MAX)

    def to_internal_value(self, data: Any) -> OrderItemRequest:
        return OrderItemRequest(**super().to_internal_value(data))


class OrderIn(serializers.Serializer[Any]):
    order_number = StrictCharField()
    product_id = StrictIntegerField(min_value=1, max_value=MAX_BIGINT)
    # DRF hands min_length/max_length to the ListSerializer; the stubs do not know that yet.
    items = OrderItemIn(  # type: ignore[call-arg]
        many=True, min_length=ORDER_ITEMS_MIN, max_length=ORDER_ITEMS_MAX
    )

    def validate_order_number(self, value: str) -> str:
        if ORDER_NUMBER_RE.match(value) is None:
            raise serializers.ValidationError(ORDER_NUMBER_MESSAGE)
        return value

    def validate_items(self, value: list[OrderItemRequest]) -> list[OrderItemRequest]:
        if len({item.item_id for item in value}) != len(value):
            raise serializers.ValidationError(UNIQUE_ITEMS_MESSAGE)
        return value

    def to_internal_value(self, data: Any) -> OrderRequest:
        return OrderRequest(**super().to_internal_value(data))


class UserOut(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    email = serializers.CharField()


class AuthOut(serializers.Serializer[Any]):
    token = serializers.CharField()
    user = UserOut()


class ProductSummaryOut(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.IntegerField(allow_null=True)
    is_active = serializers.BooleanField()


class ProductItemOut(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    cost = serializers.IntegerField()
    price = serializers.IntegerField()
    discount = serializers.IntegerField()
    item_quantity = serializers.IntegerField()
    sold_quantity = serializers.IntegerField()


class ProductDetailOut(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    name = serializers.CharField()
    items = ProductItemOut(many=True)


class OrderItemOut(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    item_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    price = serializers.IntegerField()


class OrderOut(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    order_number = serializers.CharField()
    status = serializers.CharField()
    product_id = serializers.IntegerField()
    total_price = serializers.IntegerField()
    # Always six fractional digits and a Z: REST_FRAMEWORK["DATETIME_FORMAT"] in UTC.
    created_dtm = serializers.DateTimeField()
    items = OrderItemOut(many=True)
