"""GET /products and GET /products/{pk}: shapes, pagination, price and visibility rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.contract._factory import (
    MAX_BIGINT,
    Db,
    displayed_count,
    expect,
    expect_error,
    is_int,
    list_offset,
    make_item,
    make_product,
)

PRODUCT_KEYS = {"pk", "name", "price", "is_active"}
DETAIL_KEYS = {"pk", "name", "items"}
ITEM_KEYS = {"pk", "name", "cost", "price", "discount", "item_quantity", "sold_quantity"}
HOUR = timedelta(hours=1)

# The rule of API.md, written independently of either app, to check whole pages of the seed.
ORACLE_SQL = """
SELECT p.id, p.name,
       (SELECT min(i.price) FROM tb_product_item i
         WHERE i.product_id = p.id AND i.is_active
           AND (i.sale_start_dtm IS NULL OR i.sale_start_dtm <= now())
           AND (i.sale_close_dtm IS NULL OR i.sale_close_dtm > now())
           AND i.sold_quantity < i.item_quantity)
  FROM tb_product p WHERE p.is_displayed ORDER BY p.id LIMIT %s OFFSET %s
"""


def _page(client: httpx.Client, params: Any = None) -> list[dict[str, Any]]:
    body = expect(client.get("/products", params=params), 200)
    assert isinstance(body, list)
    for product in body:
        assert isinstance(product, dict) and set(product) == PRODUCT_KEYS, product
        assert is_int(product["pk"]) and isinstance(product["name"], str)
        assert product["price"] is None or is_int(product["price"])
        assert isinstance(product["is_active"], bool)
        assert product["is_active"] is (product["price"] is not None)
    return body


def _listed(client: httpx.Client, db: Db, product_id: int) -> dict[str, Any]:
    page = _page(client, {"limit": 1, "offset": list_offset(db, product_id)})
    assert [p["pk"] for p in page] == [product_id]
    return page[0]


def _ensure_displayed(db: Db, count: int) -> None:
    for _ in range(count - displayed_count(db)):
        make_product(db, name="filler")


def _displayed_ids(db: Db, limit: int, offset: int = 0) -> list[int]:
    rows = db.execute(
        "SELECT id FROM tb_product WHERE is_displayed ORDER BY id LIMIT %s OFFSET %s",
        (limit, offset),
    ).fetchall()
    return [int(r[0]) for r in rows]


# --- list: pagination ------------------------------------------------------------------


def test_list_defaults_to_first_twenty_displayed_by_pk(client: httpx.Client, db: Db) -> None:
    _ensure_displayed(db, 21)
    assert [p["pk"] for p in _page(client)] == _displayed_ids(db, 20)


@pytest.mark.parametrize("limit", [1, 7, 20, 100])
def test_list_honours_limit(client: httpx.Client, db: Db, limit: int) -> None:
    _ensure_displayed(db, 21)
    assert [p["pk"] for p in _page(client, {"limit": limit})] == _displayed_ids(db, limit)


def test_list_pages_are_contiguous(client: httpx.Client, db: Db) -> None:
    _ensure_displayed(db, 12)
    first = _page(client, {"limit": 5, "offset": 0})
    second = _page(client, {"limit": 5, "offset": 5})
    both = _page(client, {"limit": 10})
    assert first + second == both
    assert [p["pk"] for p in both] == _displayed_ids(db, 10)


@pytest.mark.parametrize("offset", ["end", str(MAX_BIGINT)])
def test_list_offset_past_the_end_is_empty(client: httpx.Client, db: Db, offset: str) -> None:
    value = str(displayed_count(db)) if offset == "end" else offset
    assert _page(client, {"offset": value}) == []


def test_list_leading_zeros_are_plain_digits(client: httpx.Client, db: Db) -> None:
    _ensure_displayed(db, 8)
    page = _page(client, {"limit": "007", "offset": "0001"})
    assert [p["pk"] for p in page] == _displayed_ids(db, 7, 1)


def test_list_repeated_keys_last_wins(client: httpx.Client, db: Db) -> None:
    _ensure_displayed(db, 3)
    assert len(_page(client, [("limit", "abc"), ("limit", "2")])) == 2
    error = expect_error(
        client.get("/products", params=[("limit", "2"), ("limit", "abc")]), 400, "validation_error"
    )
    assert "limit" in error.get("fields", {})


def test_list_ignores_unknown_query_keys(client: httpx.Client, db: Db) -> None:
    _ensure_displayed(db, 3)
    assert len(_page(client, {"limit": 2, "sort": "-pk", "page": "x"})) == 2


BAD_COMMON = [
    "",
    "abc",
    "5.0",
    "-1",
    "+5",
    " 5",
    "5 ",
    "1e2",
    "0x10",
    "1_0",
    "\uff15",  # fullwidth 5: a digit to Python's int(), not to the contract
    "9223372036854775808",
    "99999999999999999999",
    "null",
]


@pytest.mark.parametrize("value", [*BAD_COMMON, "0", "101", "1000", str(MAX_BIGINT)])
def test_bad_limit_is_rejected(client: httpx.Client, value: str) -> None:
    error = expect_error(client.get("/products", params={"limit": value}), 400, "validation_error")
    assert "limit" in error.get("fields", {}), error


@pytest.mark.parametrize("value", BAD_COMMON)
def test_bad_offset_is_rejected(client: httpx.Client, value: str) -> None:
    error = expect_error(client.get("/products", params={"offset": value}), 400, "validation_error")
    assert "offset" in error.get("fields", {}), error


def test_bare_key_without_value_is_rejected(client: httpx.Client) -> None:
    error = expect_error(client.get("/products?limit"), 400, "validation_error")
    assert "limit" in error.get("fields", {}), error


# --- list: price and visibility ---------------------------------------------------------


def test_list_matches_the_price_rule_over_a_full_page(client: httpx.Client, db: Db) -> None:
    for offset in (0, 100):
        expected = [
            {"pk": pk, "name": name, "price": price, "is_active": price is not None}
            for pk, name, price in db.execute(ORACLE_SQL, (100, offset)).fetchall()
        ]
        assert _page(client, {"limit": 100, "offset": offset}) == expected


def test_price_is_the_lowest_purchasable_price(client: httpx.Client, db: Db) -> None:
    now = datetime.now(UTC)
    pid = make_product(db, name="Lowest price wins")
    make_item(db, pid, price=5000)
    make_item(db, pid, price=3000, sale_start_dtm=now - HOUR, sale_close_dtm=now + HOUR)
    make_item(db, pid, price=100, is_active=False)
    make_item(db, pid, price=200, item_quantity=5, sold_quantity=5)
    make_item(db, pid, price=300, item_quantity=0)
    make_item(db, pid, price=400, sale_start_dtm=now + HOUR)
    make_item(db, pid, price=500, sale_close_dtm=now - HOUR)
    make_item(db, pid, price=600, sale_start_dtm=now - 2 * HOUR, sale_close_dtm=now - HOUR)
    assert _listed(client, db, pid) == {
        "pk": pid,
        "name": "Lowest price wins",
        "price": 3000,
        "is_active": True,
    }


def test_one_left_in_stock_still_counts(client: httpx.Client, db: Db) -> None:
    pid = make_product(db)
    make_item(db, pid, price=700, item_quantity=5, sold_quantity=4)
    make_item(db, pid, price=900)
    assert _listed(client, db, pid)["price"] == 700


def test_free_item_is_a_price_not_a_missing_one(client: httpx.Client, db: Db) -> None:
    pid = make_product(db)
    make_item(db, pid, cost=0, price=0)
    listed = _listed(client, db, pid)
    assert (listed["price"], listed["is_active"]) == (0, True)


def test_nothing_purchasable_means_null_price_and_inactive(client: httpx.Client, db: Db) -> None:
    now = datetime.now(UTC)
    pid = make_product(db, name="Nothing to buy")
    make_item(db, pid, price=100, is_active=False)
    make_item(db, pid, price=200, item_quantity=3, sold_quantity=3)
    make_item(db, pid, price=300, sale_start_dtm=now + HOUR)
    make_item(db, pid, price=400, sale_close_dtm=now - HOUR)
    assert _listed(client, db, pid) == {
        "pk": pid,
        "name": "Nothing to buy",
        "price": None,
        "is_active": False,
    }


def test_product_without_items_is_listed_inactive(client: httpx.Client, db: Db) -> None:
    pid = make_product(db, name="Empty shelf")
    assert _listed(client, db, pid) == {
        "pk": pid,
        "name": "Empty shelf",
        "price": None,
        "is_active": False,
    }


def test_hidden_products_are_not_listed(client: httpx.Client, db: Db) -> None:
    before = make_product(db)
    hidden = make_product(db, is_displayed=False)
    make_item(db, hidden, price=1)
    after = make_product(db)
    page = _page(client, {"limit": 2, "offset": list_offset(db, before)})
    assert [p["pk"] for p in page] == [before, after]
    assert hidden not in [p["pk"] for p in _page(client, {"limit": 100})]


# --- detail ----------------------------------------------------------------------------


def _detail(client: httpx.Client, pk: int) -> dict[str, Any]:
    body = expect(client.get(f"/products/{pk}"), 200)
    assert isinstance(body, dict) and set(body) == DETAIL_KEYS, body
    assert is_int(body["pk"]) and isinstance(body["name"], str)
    assert isinstance(body["items"], list)
    for item in body["items"]:
        assert isinstance(item, dict) and set(item) == ITEM_KEYS, item
        assert isinstance(item["name"], str)
        assert all(is_int(item[k]) for k in ITEM_KEYS - {"name"}), item
    return body


def test_detail_shape_and_values(client: httpx.Client, db: Db) -> None:
    pid = make_product(db, name="Caf\u00e9 \u2615 set")
    item = make_item(
        db, pid, name="Mug \u00e9", cost=3000, price=1999, item_quantity=40, sold_quantity=7
    )
    assert _detail(client, pid) == {
        "pk": pid,
        "name": "Caf\u00e9 \u2615 set",
        "items": [
            {
                "pk": item,
                "name": "Mug \u00e9",
                "cost": 3000,
                "price": 1999,
                "discount": 34,
                "item_quantity": 40,
                "sold_quantity": 7,
            }
        ],
    }


def test_detail_lists_active_items_only_ordered_by_pk(client: httpx.Client, db: Db) -> None:
    now = datetime.now(UTC)
    pid = make_product(db)
    visible = [
        make_item(db, pid, price=900),
        make_item(db, pid, price=800, item_quantity=2, sold_quantity=2),  # sold out
        make_item(db, pid, price=700, sale_close_dtm=now - HOUR),  # sale over
        make_item(db, pid, price=600, sale_start_dtm=now + HOUR),  # not yet on sale
    ]
    make_item(db, pid, price=100, is_active=False)
    visible.append(make_item(db, pid, price=500))
    make_item(db, pid, price=100, is_active=False)
    assert [i["pk"] for i in _detail(client, pid)["items"]] == visible


def test_detail_of_product_without_active_items(client: httpx.Client, db: Db) -> None:
    pid = make_product(db, name="Inactive only")
    make_item(db, pid, is_active=False)
    assert _detail(client, pid) == {"pk": pid, "name": "Inactive only", "items": []}


# (cost, price) -> discount = 100 - floor(price * 100 / cost), 0 when cost is 0
DISCOUNTS = [
    (3000, 1999, 34),
    (1000, 1000, 0),
    (1000, 0, 100),
    (0, 0, 0),
    (0, 500, 0),
    (1000, 1500, -50),
    (3, 4, -33),
    (3, 1, 67),
    (7, 5, 29),
    (3000, 2999, 1),
    (100_000_000_000, 99_999_999_999, 1),
]


def test_discount_rounding(client: httpx.Client, db: Db) -> None:
    pid = make_product(db)
    ids = [make_item(db, pid, cost=cost, price=price) for cost, price, _ in DISCOUNTS]
    got = {i["pk"]: (i["cost"], i["price"], i["discount"]) for i in _detail(client, pid)["items"]}
    assert [got[pk] for pk in ids] == DISCOUNTS


def test_hidden_product_detail_is_not_found(client: httpx.Client, db: Db) -> None:
    pid = make_product(db, is_displayed=False)
    make_item(db, pid)
    expect_error(client.get(f"/products/{pid}"), 404, "not_found")


@pytest.mark.parametrize("pk", ["missing", str(MAX_BIGINT)])
def test_missing_product_detail_is_not_found(client: httpx.Client, db: Db, pk: str) -> None:
    if pk == "missing":
        row = db.execute("SELECT coalesce(max(id), 0) + 1000 FROM tb_product").fetchone()
        assert row is not None
        pk = str(row[0])
    expect_error(client.get(f"/products/{pk}"), 404, "not_found")


def test_detail_agrees_with_the_list(client: httpx.Client, db: Db) -> None:
    for product in _page(client, {"limit": 30}):
        detail = _detail(client, product["pk"])
        assert detail["name"] == product["name"]
