"""Request bodies: strict JSON types, contract bounds, and error paths like pydantic's."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.exceptions import ValidationError as DrfValidationError

from django_app.errors import ValidationError
from django_app.handlers import api_error_from
from django_app.schemas import Credentials, CredentialsIn, OrderIn, OrderItemRequest, OrderRequest

VALID_ORDER: dict[str, Any] = {
    "order_number": "o-1",
    "product_id": 1,
    "items": [{"item_id": 2, "quantity": 3}],
}


def _fields(schema: type[CredentialsIn | OrderIn], data: Any) -> dict[str, str]:
    serializer = schema(data=data)
    with pytest.raises(DrfValidationError) as caught:
        serializer.is_valid(raise_exception=True)
    error = api_error_from(caught.value)
    assert isinstance(error, ValidationError) and error.fields is not None
    return error.fields


def test_valid_order_becomes_a_plain_request() -> None:
    serializer = OrderIn(data={**VALID_ORDER, "unknown": [1, {"x": None}]})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == OrderRequest("o-1", 1, [OrderItemRequest(2, 3)])


def test_email_is_lower_cased_and_password_kept_as_sent() -> None:
    serializer = CredentialsIn(data={"email": "Ann@Example.COM", "password": " pass\x00word "})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == Credentials("ann@example.com", " pass\x00word ")


@pytest.mark.parametrize("value", [True, 1.0, "1", None, [1], 0, 2**63])
def test_product_id_must_be_a_json_integer_in_range(value: Any) -> None:
    assert set(_fields(OrderIn, {**VALID_ORDER, "product_id": value})) == {"product_id"}


@pytest.mark.parametrize(
    ("items", "path"),
    [
        ([], "items"),
        ({"item_id": 1}, "items"),
        ([{"item_id": n, "quantity": 1} for n in range(1, 22)], "items"),
        ([{"item_id": 1, "quantity": 1}, {"item_id": 1, "quantity": 2}], "items"),
        ([{"item_id": 1, "quantity": 1}, {"item_id": 2, "quantity": 1001}], "items.1.quantity"),
        ([{"item_id": 1, "quantity": 1}, "x"], "items.1"),
        ([{"quantity": 1}], "items.0.item_id"),
    ],
)
def test_item_errors_are_reported_by_path(items: Any, path: str) -> None:
    assert set(_fields(OrderIn, {**VALID_ORDER, "items": items})) == {path}


@pytest.mark.parametrize("order_number", ["", "a" * 101, "a b", "ä", "a\n", 5])
def test_order_number_shape(order_number: Any) -> None:
    assert set(_fields(OrderIn, {**VALID_ORDER, "order_number": order_number})) == {"order_number"}


@pytest.mark.parametrize("password", ["x" * 7, "x" * 129, "\ud800" * 8, 12345678])
def test_password_bounds_and_type(password: Any) -> None:
    fields = _fields(CredentialsIn, {"email": "a@example.com", "password": password})
    assert set(fields) == {"password"}
