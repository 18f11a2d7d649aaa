"""Request bodies checked by hand: strict JSON types and the contract's bounds, field paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from floor_app.errors import ValidationError
from floor_app.schemas import credentials_in, format_timestamp, order_in


def _order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_number": "ord-1",
        "product_id": 1,
        "items": [{"item_id": 2, "quantity": 3}],
    }
    return body | changes


def _fields(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as exc:
        order_in(body)
    assert exc.value.fields is not None
    return set(exc.value.fields)


def test_order_accepts_a_valid_body_and_ignores_unknown_fields() -> None:
    order = order_in(_order(note="ignored"))
    assert (order.order_number, order.product_id) == ("ord-1", 1)
    assert [(i.item_id, i.quantity) for i in order.items] == [(2, 3)]


@pytest.mark.parametrize("value", [5.0, "5", True, None, 0, -1, 2**63, 1.8e19])
def test_order_product_id_must_be_a_positive_64_bit_json_integer(value: object) -> None:
    assert _fields(_order(product_id=value)) == {"product_id"}


@pytest.mark.parametrize("quantity", [0, 1001, 1.5, "1", False])
def test_order_quantity_is_an_integer_from_1_to_1000(quantity: object) -> None:
    assert _fields(_order(items=[{"item_id": 2, "quantity": quantity}])) == {"items.0.quantity"}


@pytest.mark.parametrize("items", [[], [{"item_id": n, "quantity": 1} for n in range(1, 22)], 5])
def test_order_has_a_list_of_1_to_20_items(items: object) -> None:
    assert _fields(_order(items=items)) == {"items"}


def test_order_item_must_be_an_object() -> None:
    assert _fields(_order(items=[[2, 3]])) == {"items.0"}


def test_order_rejects_a_repeated_item_id() -> None:
    items = [{"item_id": 2, "quantity": 1}, {"item_id": 2, "quantity": 2}]
    assert _fields(_order(items=items)) == {"items"}


@pytest.mark.parametrize("number", ["", "a b", "x" * 101, 7, "\ud800"])
def test_order_number_shape(number: object) -> None:
    assert _fields(_order(order_number=number)) == {"order_number"}


def test_every_bad_field_is_reported() -> None:
    assert _fields({}) == {"order_number", "product_id", "items"}


def test_credentials_lower_case_the_email() -> None:
    body = credentials_in({"email": "Ann@Example.COM", "password": "12345678"})
    assert body.email == "ann@example.com"


@pytest.mark.parametrize("password", ["1234567", "x" * 129, 12345678, None, "\udfff" * 8])
def test_credentials_password_is_text_of_8_to_128_characters(password: object) -> None:
    with pytest.raises(ValidationError) as exc:
        credentials_in({"email": "a@example.com", "password": password})
    assert exc.value.fields is not None and set(exc.value.fields) == {"password"}


def test_credentials_password_bounds_are_inclusive_and_content_is_kept() -> None:
    for password in ("x" * 8, "x" * 128, " pass\tword ", "pass\x00word", "\U0001f600" * 8):
        assert credentials_in({"email": "a@example.com", "password": password}).password == (
            password
        )


@pytest.mark.parametrize("email", ["nope", "a@b", 5, None, "a@example.com\n"])
def test_credentials_email_must_be_an_address(email: object) -> None:
    with pytest.raises(ValidationError) as exc:
        credentials_in({"email": email, "password": "long-enough"})
    assert exc.value.fields is not None and set(exc.value.fields) == {"email"}


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
