"""Request bodies: strict JSON types and the contract's bounds; timestamps in RFC 3339 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest

from fastapi_app.schemas import CredentialsIn, OrderIn, format_timestamp


def _order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_number": "ord-1",
        "product_id": 1,
        "items": [{"item_id": 2, "quantity": 3}],
    }
    return body | changes


def _error_locs(exc: pytest.ExceptionInfo[pydantic.ValidationError]) -> set[tuple[Any, ...]]:
    return {tuple(error["loc"]) for error in exc.value.errors()}


def test_order_accepts_a_valid_body_and_ignores_unknown_fields() -> None:
    order = OrderIn.model_validate(_order(note="ignored"))
    assert (order.order_number, order.product_id) == ("ord-1", 1)
    assert [(i.item_id, i.quantity) for i in order.items] == [(2, 3)]


@pytest.mark.parametrize("value", [5.0, "5", True, None, 0, -1, 2**63])
def test_order_product_id_must_be_a_positive_64_bit_json_integer(value: object) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        OrderIn.model_validate(_order(product_id=value))
    assert _error_locs(exc) == {("product_id",)}


@pytest.mark.parametrize("quantity", [0, 1001, 1.5, "1", False])
def test_order_quantity_is_an_integer_from_1_to_1000(quantity: object) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        OrderIn.model_validate(_order(items=[{"item_id": 2, "quantity": quantity}]))
    assert _error_locs(exc) == {("items", 0, "quantity")}


@pytest.mark.parametrize("count", [0, 21])
def test_order_has_1_to_20_items(count: int) -> None:
    items = [{"item_id": n + 1, "quantity": 1} for n in range(count)]
    with pytest.raises(pydantic.ValidationError) as exc:
        OrderIn.model_validate(_order(items=items))
    assert _error_locs(exc) == {("items",)}


def test_order_rejects_a_repeated_item_id() -> None:
    items = [{"item_id": 2, "quantity": 1}, {"item_id": 2, "quantity": 2}]
    with pytest.raises(pydantic.ValidationError) as exc:
        OrderIn.model_validate(_order(items=items))
    assert _error_locs(exc) == {("items",)}


@pytest.mark.parametrize("number", ["", "a b", "x" * 101, 7])
def test_order_number_shape(number: object) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        OrderIn.model_validate(_order(order_number=number))
    assert _error_locs(exc) == {("order_number",)}


def test_credentials_lower_case_the_email() -> None:
    assert CredentialsIn.model_validate(
        {"email": "Ann@Example.COM", "password": "12345678"}
    ).email == ("ann@example.com")


@pytest.mark.parametrize("password", ["1234567", "x" * 129, 12345678, None])
def test_credentials_password_is_a_string_of_8_to_128_characters(password: object) -> None:
    with pytest.raises(pydantic.ValidationError) as exc:
        CredentialsIn.model_validate({"email": "a@example.com", "password": password})
    assert _error_locs(exc) == {("password",)}


def test_credentials_password_bounds_are_inclusive_and_content_is_kept() -> None:
    for password in ("x" * 8, "x" * 128, " pass\tword ", "pass\x00word", "\U0001f600" * 8):
        assert CredentialsIn.model_validate({"email": "a@example.com", "password": password})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 25, 16, 58, 50, 123456, tzinfo=UTC), "2026-11-25T16:58:50.123456Z"),
        (datetime(2026, 11, 25, 16, 58, 50, tzinfo=UTC), "2026-11-25T16:58:50.000000Z"),
        (
            datetime(2026, 11, 25, 18, 0, 0, 1, tzinfo=timezone(timedelta(hours=2))),
            "2026-11-25T16:00:00.000001Z",
        ),
    ],
)
def test_format_timestamp_is_utc_with_six_fraction_digits(value: datetime, expected: str) -> None:
    assert format_timestamp(value) == expected
