from __future__ import annotations

import random
from typing import Any

import pytest

from infra.fixtures import bench_email
from loadtest.flow import (
    BodyError,
    ItemStock,
    ProductSummary,
    bench_user_number,
    order_number,
    parse_login,
    parse_order,
    parse_product_detail,
    parse_product_list,
    pick_item,
    pick_product,
    products_offset,
)

ITEM = {
    "pk": 11,
    "name": "Kettle - Red",
    "cost": 1000,
    "price": 900,
    "discount": 10,
    "item_quantity": 5,
    "sold_quantity": 4,
}
ORDER = {
    "pk": 7,
    "order_number": "run-0-3-1",
    "status": "COMPLETED",
    "product_id": 2,
    "total_price": 900,
    "created_dtm": "2026-11-25T16:58:50.123456Z",
    "items": [{"pk": 70, "item_id": 11, "quantity": 1, "price": 900}],
}


def test_workers_interleave_seeded_users_and_wrap_around() -> None:
    numbers = {
        bench_user_number(sequence=s, worker_index=w, worker_count=3, user_count=1000)
        for s in range(100)
        for w in range(3)
    }
    assert numbers == set(range(1, 301))
    assert bench_user_number(sequence=0, worker_index=0, worker_count=1, user_count=1000) == 1
    assert bench_user_number(sequence=1000, worker_index=0, worker_count=1, user_count=1000) == 1
    assert bench_email(7) == "bench-7@example.com"


def test_order_numbers_are_unique_and_valid() -> None:
    number = order_number(run_id="ab12", worker_index=2, sequence=31, counter=4)
    assert number == "ab12-2-31-4"


def test_offsets_stay_within_the_first_pages() -> None:
    rng = random.Random(3)
    offsets = {products_offset(rng, pages=5) for _ in range(2000)}
    assert offsets == set(range(81))
    assert {products_offset(rng, pages=1) for _ in range(10)} == {0}


def test_pick_product_only_picks_active_ones() -> None:
    rng = random.Random(0)
    products = [ProductSummary(1, None, False), ProductSummary(2, 500, True)]
    assert {pick_product(products, rng) for _ in range(20)} == {products[1]}
    assert pick_product([ProductSummary(1, None, False)], rng) is None
    assert pick_product([], rng) is None


def test_pick_item_needs_stock_and_prefers_the_listed_price() -> None:
    rng = random.Random(0)
    items = [ItemStock(1, 500, False), ItemStock(2, 700, True), ItemStock(3, 600, True)]
    assert pick_item(items, listed_price=600, rng=rng) == 3
    assert {pick_item(items, listed_price=500, rng=rng) for _ in range(30)} == {2, 3}
    assert pick_item([ItemStock(1, 500, False)], listed_price=500, rng=rng) is None


def test_parse_login() -> None:
    assert parse_login({"token": "t.o.k", "user": {"pk": 1, "email": "a@b.co"}}) == "t.o.k"
    bad_bodies: list[Any] = [
        {"user": {"pk": 1, "email": "a@b.co"}},
        {"token": "t", "user": {"pk": "1"}},
        [],
    ]
    for bad in bad_bodies:
        with pytest.raises(BodyError):
            parse_login(bad)


def test_parse_product_list() -> None:
    body = [
        {"pk": 1, "name": "A", "price": None, "is_active": False},
        {"pk": 2, "name": "B", "price": 500, "is_active": True},
    ]
    assert parse_product_list(body) == [
        ProductSummary(1, None, False),
        ProductSummary(2, 500, True),
    ]
    assert parse_product_list([]) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"pk": 1}, "product list is not an array"),
        ([{"pk": 1, "name": "A", "is_active": True}], "product summary lacks price"),
        ([{"pk": 1, "name": "A", "price": 1.5, "is_active": True}], "price is not an integer"),
        ([{"pk": True, "name": "A", "price": 1, "is_active": True}], "pk is not int"),
        ([{"pk": 1, "name": "A", "price": 1, "is_active": 1}], "is_active is not bool"),
    ],
)
def test_parse_product_list_rejects(body: Any, message: str) -> None:
    with pytest.raises(BodyError, match=message):
        parse_product_list(body)


def test_parse_product_detail() -> None:
    sold_out = ITEM | {"pk": 12, "sold_quantity": 5}
    body = {"pk": 2, "name": "Kettle", "items": [ITEM, sold_out]}
    assert parse_product_detail(body, pk=2) == [ItemStock(11, 900, True), ItemStock(12, 900, False)]
    with pytest.raises(BodyError, match="another pk"):
        parse_product_detail(body, pk=3)
    without_stock_field = {k: v for k, v in ITEM.items() if k != "sold_quantity"}
    with pytest.raises(BodyError, match="product item lacks sold_quantity"):
        parse_product_detail(body | {"items": [without_stock_field]}, pk=2)


def test_parse_order() -> None:
    assert parse_order(ORDER, order_number="run-0-3-1") == 7
    assert parse_order(ORDER, pk=7) == 7
    with pytest.raises(BodyError, match="another order_number"):
        parse_order(ORDER, order_number="run-0-3-2")
    with pytest.raises(BodyError, match="another pk"):
        parse_order(ORDER, pk=8)
    with pytest.raises(BodyError, match="order lacks created_dtm"):
        parse_order({k: v for k, v in ORDER.items() if k != "created_dtm"})
    with pytest.raises(BodyError, match="order item quantity is not int"):
        parse_order(ORDER | {"items": [{"pk": 70, "item_id": 11, "quantity": "1", "price": 9}]})
    with pytest.raises(BodyError, match="no items"):
        parse_order(ORDER | {"items": []})
