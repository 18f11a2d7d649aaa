"""Concurrent orders through Nginx: no oversell, no deadlock, exactly one order per number."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.contract._factory import (
    AppServer,
    Db,
    bearer,
    check_order_shape,
    describe,
    expect,
    expect_error,
    make_shop,
    new_order_number,
    order_body,
    parse_json,
    register,
    sold_quantities,
)

Request = tuple[dict[str, Any], dict[str, str]]


def _post_together(base_url: str, requests: list[Request]) -> list[httpx.Response]:
    """Send every order at once, one client per thread, released by a barrier."""
    barrier = threading.Barrier(len(requests))

    def send(request: Request) -> httpx.Response:
        body, headers = request
        with httpx.Client(base_url=base_url, timeout=30) as client:
            barrier.wait(timeout=30)
            return client.post("/orders", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def _ordered_quantities(db: Db, item_ids: list[int]) -> dict[int, int]:
    rows = db.execute(
        "SELECT item_id, sum(quantity) FROM tb_order_item WHERE item_id = ANY(%s) GROUP BY item_id",
        (item_ids,),
    ).fetchall()
    totals = {pk: 0 for pk in item_ids}
    totals.update({int(pk): int(total) for pk, total in rows})
    return totals


def _order_count(db: Db, numbers: list[str]) -> int:
    row = db.execute(
        "SELECT count(*) FROM tb_order WHERE order_number = ANY(%s)", (numbers,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_concurrent_orders_sell_exactly_the_stock(
    app: AppServer, client: httpx.Client, db: Db
) -> None:
    stock, attempts = 10, 30
    shop = make_shop(db, items=1, item_quantity=stock)
    item = shop.item_ids[0]
    users = [bearer(register(client)[1]) for _ in range(3)]
    requests = [
        (order_body(shop.product_id, {item: 1}), users[n % len(users)]) for n in range(attempts)
    ]

    responses = _post_together(app.base_url, requests)

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [describe(r) for r in responses if r.status_code >= 500]
    assert statuses[201] == stock
    for resp in responses:
        if resp.status_code == 409:
            expect_error(resp, 409, "out_of_stock")
        else:
            check_order_shape(parse_json(resp))
    assert sold_quantities(db, [item]) == {item: stock}
    assert _ordered_quantities(db, [item]) == {item: stock}
    assert _order_count(db, [body["order_number"] for body, _ in requests]) == stock


def test_concurrent_multi_item_orders_keep_the_stock_math(
    app: AppServer, client: httpx.Client, db: Db
) -> None:
    stock, attempts = 20, 36
    shop = make_shop(db, items=4, item_quantity=stock)
    rng = random.Random(20251125)
    users = [bearer(register(client)[1]) for _ in range(4)]
    requests: list[Request] = []
    for n in range(attempts):
        chosen = rng.sample(shop.item_ids, rng.randint(2, 4))  # random lock-request order
        body = order_body(shop.product_id, {i: rng.randint(1, 3) for i in chosen})
        requests.append((body, users[n % len(users)]))

    responses = _post_together(app.base_url, requests)

    assert all(r.status_code in (201, 409) for r in responses), [
        describe(r) for r in responses if r.status_code not in (201, 409)
    ]
    sold_by_api = dict.fromkeys(shop.item_ids, 0)
    for resp in responses:
        if resp.status_code == 409:
            expect_error(resp, 409, "out_of_stock")
            continue
        order = parse_json(resp)
        check_order_shape(order)
        for line in order["items"]:
            sold_by_api[line["item_id"]] += line["quantity"]
    assert any(r.status_code == 201 for r in responses)
    sold = sold_quantities(db, shop.item_ids)
    assert sold == sold_by_api == _ordered_quantities(db, shop.item_ids)
    assert all(quantity <= stock for quantity in sold.values())
    created = [r for r in responses if r.status_code == 201]
    assert _order_count(db, [body["order_number"] for body, _ in requests]) == len(created)


def test_concurrent_identical_requests_create_one_order(
    app: AppServer, client: httpx.Client, db: Db
) -> None:
    shop = make_shop(db, items=2, item_quantity=100)
    headers = bearer(register(client)[1])
    body = order_body(shop.product_id, {shop.item_ids[0]: 2, shop.item_ids[1]: 3})

    responses = _post_together(app.base_url, [(body, headers)] * 24)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: 23}, [describe(r) for r in responses]
    orders = [parse_json(r) for r in responses]
    assert all(order == orders[0] for order in orders)
    assert _order_count(db, [body["order_number"]]) == 1
    assert sold_quantities(db, shop.item_ids) == {shop.item_ids[0]: 2, shop.item_ids[1]: 3}


def test_concurrent_same_number_from_different_users_creates_one_order(
    app: AppServer, client: httpx.Client, db: Db
) -> None:
    shop = make_shop(db, items=1, item_quantity=100)
    number = new_order_number()
    body = order_body(shop.product_id, {shop.item_ids[0]: 1}, order_number=number)
    requests = [(body, bearer(register(client)[1])) for _ in range(20)]

    responses = _post_together(app.base_url, requests)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 19}, [describe(r) for r in responses]
    for resp in responses:
        if resp.status_code == 409:
            expect_error(resp, 409, "duplicate_order_number")
    winner = next(expect(r, 201) for r in responses if r.status_code == 201)
    assert _order_count(db, [number]) == 1
    assert sold_quantities(db, shop.item_ids) == {shop.item_ids[0]: 1}
    row = db.execute("SELECT id FROM tb_order WHERE order_number = %s", (number,)).fetchone()
    assert row == (winner["pk"],)
