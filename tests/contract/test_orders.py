"""POST /orders and GET /orders/{pk}: writes, retries, duplicates, stock, validation, ownership."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.contract._factory import (
    MAX_BIGINT,
    Db,
    bearer,
    check_order_shape,
    expect,
    expect_error,
    make_item,
    make_product,
    make_shop,
    new_order_number,
    order_body,
    parse_timestamp,
    register,
    row_counts,
    sold_quantities,
    stored_order,
    unique_email,
)

ORDER_ITEMS_MAX = 20

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class User:
    pk: int
    headers: dict[str, str]


@pytest.fixture
def user(client: httpx.Client) -> User:
    pk, token, _ = register(client)
    return User(pk, bearer(token))


@dataclass(frozen=True)
class Catalogue:
    """One product with purchasable and non-purchasable items, plus foreign items."""

    product: int
    a: int  # price 1500, stock 10
    b: int  # price 250, stock 10, 3 sold
    inactive: int
    closed: int
    not_started: int
    sold_out: int
    other_product: int
    other_item: int
    hidden_product: int
    hidden_item: int

    @property
    def items(self) -> list[int]:
        return [self.a, self.b, self.inactive, self.closed, self.not_started, self.sold_out]


@pytest.fixture
def cat(db: Db) -> Catalogue:
    now = datetime.now(UTC)
    product = make_product(db, name="Order me")
    other = make_product(db, name="Another product")
    hidden = make_product(db, name="Hidden", is_displayed=False)
    return Catalogue(
        product=product,
        a=make_item(db, product, cost=2000, price=1500, item_quantity=10),
        b=make_item(db, product, cost=300, price=250, item_quantity=10, sold_quantity=3),
        inactive=make_item(db, product, is_active=False),
        closed=make_item(db, product, sale_close_dtm=now - HOUR),
        not_started=make_item(db, product, sale_start_dtm=now + HOUR),
        sold_out=make_item(db, product, item_quantity=4, sold_quantity=4),
        other_product=other,
        other_item=make_item(db, other),
        hidden_product=hidden,
        hidden_item=make_item(db, hidden),
    )


def _post(client: httpx.Client, user: User, body: Any) -> httpx.Response:
    return client.post("/orders", json=body, headers=user.headers)


def _stock(db: Db, cat: Catalogue) -> dict[int, int]:
    return sold_quantities(db, cat.items)


# --- the write -------------------------------------------------------------------------


def test_create_order_writes_order_items_and_stock(
    client: httpx.Client, db: Db, cat: Catalogue, user: User
) -> None:
    number = new_order_number()
    body = {
        "order_number": number,
        "product_id": cat.product,
        "items": [{"item_id": cat.b, "quantity": 4}, {"item_id": cat.a, "quantity": 2}],
    }
    order = expect(_post(client, user, body), 201)
    check_order_shape(order)
    assert {k: order[k] for k in ("order_number", "status", "product_id", "total_price")} == {
        "order_number": number,
        "status": "COMPLETED",
        "product_id": cat.product,
        "total_price": 2 * 1500 + 4 * 250,
    }
    assert [(i["item_id"], i["quantity"], i["price"]) for i in order["items"]] == [
        (cat.a, 2, 1500),
        (cat.b, 4, 250),
    ]

    stored = stored_order(db, number)
    assert stored is not None
    assert stored["pk"] == order["pk"]
    assert stored["user_id"] == user.pk
    assert stored["product_id"] == cat.product
    assert stored["status"] == "COMPLETED"
    assert stored["total_price"] == order["total_price"]
    assert stored["created_dtm"] == parse_timestamp(order["created_dtm"])
    assert stored["items"] == order["items"]
    assert sold_quantities(db, [cat.a, cat.b]) == {cat.a: 2, cat.b: 7}


def test_multi_row_insert_returns_rows_in_values_order(db: Db) -> None:
    # Both apps insert an order's items in one INSERT ... RETURNING id and pair the returned
    # ids with the VALUES rows by position (Django's bulk_create does so too). Values out of
    # id order make any reordering of the returned rows visible.
    shop = make_shop(db, items=ORDER_ITEMS_MAX)
    user_id = db.execute(
        "INSERT INTO tb_auth_user (email, password) VALUES (%s, 'x') RETURNING id",
        (unique_email(),),
    ).fetchone()
    assert user_id is not None
    order = db.execute(
        "INSERT INTO tb_order (order_number, user_id, product_id, status, total_price) "
        "VALUES (%s, %s, %s, 'COMPLETED', 0) RETURNING id",
        (new_order_number(), user_id[0], shop.product_id),
    ).fetchone()
    assert order is not None
    item_ids = shop.item_ids[1::2] + shop.item_ids[::-2]
    rows = ", ".join(["(%s, %s, 1, 0)"] * len(item_ids))
    params = [value for item_id in item_ids for value in (order[0], item_id)]
    returned = db.execute(
        f"INSERT INTO tb_order_item (order_id, item_id, quantity, price) VALUES {rows} "
        "RETURNING item_id",
        params,
    ).fetchall()
    assert [row[0] for row in returned] == item_ids


def test_order_item_pks_name_their_own_rows(client: httpx.Client, db: Db, user: User) -> None:
    shop = make_shop(db, items=ORDER_ITEMS_MAX)
    # Distinct quantities in a shuffled request: a pk paired with the wrong row would show.
    quantities = {item_id: n + 1 for n, item_id in enumerate(reversed(shop.item_ids))}
    body = order_body(shop.product_id, quantities)
    order = expect(_post(client, user, body), 201)
    stored = stored_order(db, body["order_number"])
    assert stored is not None
    assert order["items"] == stored["items"]
    assert {i["item_id"]: i["quantity"] for i in order["items"]} == quantities
    assert expect(client.get(f"/orders/{order['pk']}", headers=user.headers), 200) == order


def test_created_order_is_readable_by_its_owner(
    client: httpx.Client, cat: Catalogue, user: User
) -> None:
    order = expect(_post(client, user, order_body(cat.product, {cat.a: 1, cat.b: 2})), 201)
    fetched = expect(client.get(f"/orders/{order['pk']}", headers=user.headers), 200)
    check_order_shape(fetched)
    assert fetched == order


def test_unit_price_is_frozen_at_order_time(
    client: httpx.Client, db: Db, cat: Catalogue, user: User
) -> None:
    order = expect(_post(client, user, order_body(cat.product, {cat.a: 3})), 201)
    db.execute("UPDATE tb_product_item SET price = 1 WHERE id = %s", (cat.a,))
    fetched = expect(client.get(f"/orders/{order['pk']}", headers=user.headers), 200)
    assert fetched["items"][0]["price"] == 1500
    assert fetched["total_price"] == 4500


def test_exact_remaining_stock_can_be_bought(
    client: httpx.Client, db: Db, cat: Catalogue, user: User
) -> None:
    expect(_post(client, user, order_body(cat.product, {cat.a: 10, cat.b: 7})), 201)
    assert sold_quantities(db, [cat.a, cat.b]) == {cat.a: 10, cat.b: 10}


def test_boundaries_are_accepted(client: httpx.Client, db: Db, user: User) -> None:
    product = make_product(db)
    items = [make_item(db, product, price=n + 1, item_quantity=1000) for n in range(20)]
    number = ("Ab-_09" * 20)[:100]
    body = order_body(
        product, {i: 1000 if i == items[0] else 1 for i in items}, order_number=number
    )
    order = expect(_post(client, user, body), 201)
    check_order_shape(order)
    assert order["order_number"] == number
    assert len(order["items"]) == 20
    assert order["total_price"] == 1000 * 1 + sum(range(2, 21))


def test_unknown_fields_are_ignored(client: httpx.Client, cat: Catalogue, user: User) -> None:
    body = order_body(cat.product, {cat.a: 1})
    body.update({"status": "CANCELLED", "total_price": 1, "user_id": 1})
    body["items"][0]["price"] = 1
    order = expect(_post(client, user, body), 201)
    assert (order["status"], order["total_price"]) == ("COMPLETED", 1500)


def test_free_items_can_be_ordered(client: httpx.Client, db: Db, user: User) -> None:
    product = make_product(db)
    item = make_item(db, product, cost=0, price=0)
    order = expect(_post(client, user, order_body(product, {item: 5})), 201)
    assert order["total_price"] == 0


# --- retries and duplicates ------------------------------------------------------------


def test_retry_returns_the_original_order_and_changes_nothing(
    client: httpx.Client, db: Db, cat: Catalogue, user: User
) -> None:
    body = order_body(cat.product, {cat.a: 2, cat.b: 1})
    first = expect(_post(client, user, body), 201)
    counts, stock = row_counts(db), _stock(db, cat)

    again = expect(_post(client, user, body), 200)
    assert again == first
    reordered = {**body, "items": list(reversed(body["items"]))}
    assert expect(_post(client, user, reordered), 200) == first

    assert row_counts(db) == counts
    assert _stock(db, cat) == stock


def test_retry_is_answered_before_product_item_and_stock_checks(
    client: httpx.Client, db: Db, cat: Catalogue, user: User
) -> None:
    body = order_body(cat.product, {cat.a: 2})
    first = expect(_post(client, user, body), 201)
    # Prices change, stock runs out and the product is hidden: a retry still gets the
    # stored order with its original prices.
    db.execute(
        "UPDATE tb_product_item SET price = 7, sold_quantity = item_quantity, is_active = false "
        "WHERE id = %s",
        (cat.a,),
    )
    db.execute("UPDATE tb_product SET is_displayed = false WHERE id = %s", (cat.product,))
    counts = row_counts(db)
    assert expect(_post(client, user, body), 200) == first
    assert row_counts(db) == counts


DUPLICATES: dict[str, Callable[[Catalogue], dict[str, Any]]] = {
    "other-quantity": lambda c: {"product_id": c.product, "items": {c.a: 3, c.b: 1}},
    "fewer-items": lambda c: {"product_id": c.product, "items": {c.a: 2}},
    "more-items": lambda c: {"product_id": c.product, "items": {c.a: 2, c.b: 1, c.sold_out: 1}},
    "other-item": lambda c: {"product_id": c.product, "items": {c.a: 2, c.closed: 1}},
    "other-product": lambda c: {"product_id": c.other_product, "items": {c.other_item: 1}},
}


@pytest.mark.parametrize("case", list(DUPLICATES))
def test_same_number_with_another_body_is_a_duplicate(
    client: httpx.Client, db: Db, cat: Catalogue, user: User, case: str
) -> None:
    number = new_order_number()
    expect(
        _post(client, user, order_body(cat.product, {cat.a: 2, cat.b: 1}, order_number=number)), 201
    )
    counts, stock = row_counts(db), _stock(db, cat)
    spec = DUPLICATES[case](cat)
    body = order_body(spec["product_id"], spec["items"], order_number=number)
    expect_error(_post(client, user, body), 409, "duplicate_order_number")
    assert row_counts(db) == counts
    assert _stock(db, cat) == stock


def test_same_body_from_another_user_is_a_duplicate(
    client: httpx.Client, db: Db, cat: Catalogue, user: User
) -> None:
    body = order_body(cat.product, {cat.a: 1})
    first = expect(_post(client, user, body), 201)
    _, token, _ = register(client)
    counts = row_counts(db)
    expect_error(
        client.post("/orders", json=body, headers=bearer(token)), 409, "duplicate_order_number"
    )
    assert row_counts(db) == counts
    stored = stored_order(db, body["order_number"])
    assert stored is not None and stored["pk"] == first["pk"] and stored["user_id"] == user.pk


# --- stock -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        lambda c: {c.a: 11},
        lambda c: {c.a: 1, c.b: 8},
        lambda c: {c.b: 8, c.a: 1},
        lambda c: {c.a: 10, c.sold_out: 1},
        lambda c: {c.sold_out: 1},
    ],
    ids=["one-item", "second-item-short", "first-item-short", "sold-out-among-fine", "sold-out"],
)
def test_out_of_stock_changes_nothing(
    client: httpx.Client,
    db: Db,
    cat: Catalogue,
    user: User,
    items: Callable[[Catalogue], dict[int, int]],
) -> None:
    counts, stock = row_counts(db), _stock(db, cat)
    body = order_body(cat.product, items(cat))
    expect_error(_post(client, user, body), 409, "out_of_stock")
    assert row_counts(db) == counts
    assert _stock(db, cat) == stock
    assert stored_order(db, body["order_number"]) is None
    # Nothing was kept, so the number is still free for a fulfillable order.
    retry = order_body(cat.product, {cat.a: 1}, order_number=body["order_number"])
    expect(_post(client, user, retry), 201)


# --- validation ------------------------------------------------------------------------

BAD_BODIES: dict[str, Callable[[Catalogue], Any]] = {
    "empty-object": lambda c: {},
    "no-order-number": lambda c: {
        "product_id": c.product,
        "items": [{"item_id": c.a, "quantity": 1}],
    },
    "no-product": lambda c: {"order_number": "n1", "items": [{"item_id": c.a, "quantity": 1}]},
    "no-items": lambda c: {"order_number": "n1", "product_id": c.product},
}


def _with(**changes: Any) -> Callable[[Catalogue], Any]:
    """A valid body for the catalogue with some fields replaced (callables get the catalogue)."""

    def build(c: Catalogue) -> Any:
        body: dict[str, Any] = order_body(c.product, {c.a: 1})
        for key, value in changes.items():
            body[key] = value(c) if callable(value) else value
        return body

    return build


def _items(*entries: Any) -> Callable[[Catalogue], Any]:
    def build(c: Catalogue) -> Any:
        return [e(c) if callable(e) else e for e in entries]

    return _with(items=build)


def _item(item_id: Any = None, quantity: Any = 1, **extra: Any) -> Callable[[Catalogue], Any]:
    def build(c: Catalogue) -> Any:
        entry: dict[str, Any] = {
            "item_id": c.a if item_id is None else item_id(c) if callable(item_id) else item_id,
            "quantity": quantity,
        }
        entry.update(extra)
        return {k: v for k, v in entry.items() if v is not ...}

    return build


BAD_BODIES.update(
    {
        "order-number-empty": _with(order_number=""),
        "order-number-101": _with(order_number="x" * 101),
        "order-number-space": _with(order_number="has space"),
        "order-number-slash": _with(order_number="a/b"),
        "order-number-dot": _with(order_number="a.b"),
        "order-number-unicode": _with(order_number="\u00e9t\u00e9"),
        "order-number-fullwidth-digit": _with(order_number="\uff11"),
        "order-number-newline": _with(order_number="abc\n"),
        "order-number-int": _with(order_number=12345),
        "order-number-null": _with(order_number=None),
        "order-number-list": _with(order_number=["abc"]),
        "product-string": _with(product_id=lambda c: str(c.product)),
        "product-float": _with(product_id=lambda c: float(c.product)),
        "product-bool": _with(product_id=True),
        "product-null": _with(product_id=None),
        "product-zero": _with(product_id=0),
        "product-negative": _with(product_id=-1),
        "product-2-63": _with(product_id=2**63),
        "product-2-64": _with(product_id=2**64),
        "product-missing": _with(product_id=MAX_BIGINT),
        "product-hidden": _with(
            product_id=lambda c: c.hidden_product,
            items=lambda c: [{"item_id": c.hidden_item, "quantity": 1}],
        ),
        "items-empty": _items(),
        "items-string": _with(items="x"),
        "items-object": _with(items=lambda c: {"item_id": c.a, "quantity": 1}),
        "items-null": _with(items=None),
        "items-21": _with(
            items=lambda c: [{"item_id": c.a + 100 + n, "quantity": 1} for n in range(21)]
        ),
        "item-not-object": _items(1),
        "item-null": _items(None),
        "item-no-quantity": _items(_item(quantity=...)),
        "item-no-item-id": _items(lambda c: {"quantity": 1}),
        "item-id-string": _items(_item(item_id=lambda c: str(c.a))),
        "item-id-float": _items(_item(item_id=lambda c: float(c.a))),
        "item-id-bool": _items(_item(item_id=True)),
        "item-id-zero": _items(_item(item_id=0)),
        "item-id-negative": _items(_item(item_id=-5)),
        "item-id-2-63": _items(_item(item_id=2**63)),
        "item-id-missing": _items(_item(item_id=MAX_BIGINT)),
        "quantity-zero": _items(_item(quantity=0)),
        "quantity-negative": _items(_item(quantity=-1)),
        "quantity-1001": _items(_item(quantity=1001)),
        "quantity-float": _items(_item(quantity=1.0)),
        "quantity-string": _items(_item(quantity="1")),
        "quantity-bool": _items(_item(quantity=True)),
        "quantity-null": _items(_item(quantity=None)),
        "quantity-2-64": _items(_item(quantity=2**64)),
        "duplicate-item-id": _items(_item(), _item(quantity=2)),
        "item-of-other-product": _items(_item(), _item(item_id=lambda c: c.other_item)),
        "item-of-hidden-product": _items(_item(item_id=lambda c: c.hidden_item)),
        "item-inactive": _items(_item(item_id=lambda c: c.inactive)),
        "item-sale-closed": _items(_item(item_id=lambda c: c.closed)),
        "item-sale-not-started": _items(_item(item_id=lambda c: c.not_started)),
        "inactive-among-fine": _items(_item(), _item(item_id=lambda c: c.inactive)),
    }
)


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_invalid_order_is_a_validation_error(
    client: httpx.Client, db: Db, cat: Catalogue, user: User, case: str
) -> None:
    counts, stock = row_counts(db), _stock(db, cat)
    expect_error(_post(client, user, BAD_BODIES[case](cat)), 400, "validation_error")
    assert row_counts(db) == counts
    assert _stock(db, cat) == stock


# --- reading ---------------------------------------------------------------------------


def test_other_users_order_is_not_found(client: httpx.Client, cat: Catalogue, user: User) -> None:
    order = expect(_post(client, user, order_body(cat.product, {cat.a: 1})), 201)
    _, token, _ = register(client)
    expect_error(client.get(f"/orders/{order['pk']}", headers=bearer(token)), 404, "not_found")
    expect_error(client.get(f"/orders/{MAX_BIGINT}", headers=bearer(token)), 404, "not_found")


@pytest.mark.parametrize(
    "pk",
    [
        "0",
        "007",
        "-1",
        "+1",
        "abc",
        "1.0",
        "1e3",
        "1_0",
        "%EF%BC%91",
        "9223372036854775808",
        "99999999999999999999",
    ],
)
def test_bad_order_id_is_not_found(client: httpx.Client, user: User, pk: str) -> None:
    expect_error(client.get(f"/orders/{pk}", headers=user.headers), 404, "not_found")


def test_leading_zero_id_does_not_reach_an_existing_order(
    client: httpx.Client, cat: Catalogue, user: User
) -> None:
    order = expect(_post(client, user, order_body(cat.product, {cat.a: 1})), 201)
    expect_error(client.get(f"/orders/0{order['pk']}", headers=user.headers), 404, "not_found")
