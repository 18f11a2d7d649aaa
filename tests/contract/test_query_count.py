"""Statements per request, counted in PostgreSQL: DECISIONS.md's numbers, equal in both apps."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx
import psycopg
import pytest

from tests.contract._factory import (
    MAX_BIGINT,
    PASSWORD,
    AppServer,
    Db,
    QueryCounter,
    bearer,
    describe,
    expect,
    make_product,
    make_shop,
    order_body,
    register,
    unique_email,
)


@dataclass(frozen=True)
class Probe:
    """The one request to count, prepared against one app's database."""

    status: int
    send: Callable[[httpx.Client], httpx.Response]


Setup = Callable[[httpx.Client, Db], Probe]


def _health(client: httpx.Client, db: Db) -> Probe:
    return Probe(200, lambda c: c.get("/health"))


def _list(client: httpx.Client, db: Db) -> Probe:
    return Probe(200, lambda c: c.get("/products"))


def _list_page(client: httpx.Client, db: Db) -> Probe:
    return Probe(200, lambda c: c.get("/products", params={"limit": 100, "offset": 3}))


def _list_bad_limit(client: httpx.Client, db: Db) -> Probe:
    return Probe(400, lambda c: c.get("/products", params={"limit": "abc"}))


def _detail(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=3)
    return Probe(200, lambda c: c.get(f"/products/{shop.product_id}"))


def _detail_hidden(client: httpx.Client, db: Db) -> Probe:
    pk = make_product(db, is_displayed=False)
    return Probe(404, lambda c: c.get(f"/products/{pk}"))


def _detail_bad_id(client: httpx.Client, db: Db) -> Probe:
    return Probe(404, lambda c: c.get("/products/007"))


def _register(client: httpx.Client, db: Db) -> Probe:
    body = {"email": unique_email(), "password": PASSWORD}
    return Probe(201, lambda c: c.post("/auth/register", json=body))


def _register_taken(client: httpx.Client, db: Db) -> Probe:
    _, _, email = register(client)
    body = {"email": email.upper(), "password": PASSWORD}
    return Probe(409, lambda c: c.post("/auth/register", json=body))


def _register_invalid(client: httpx.Client, db: Db) -> Probe:
    return Probe(400, lambda c: c.post("/auth/register", json={"email": "nope", "password": 1}))


def _login(password: str, status: int, *, known: bool = True) -> Setup:
    def setup(client: httpx.Client, db: Db) -> Probe:
        email = register(client)[2] if known else unique_email()
        body = {"email": email, "password": password}
        return Probe(status, lambda c: c.post("/auth/login", json=body))

    return setup


def _login_invalid(client: httpx.Client, db: Db) -> Probe:
    return Probe(400, lambda c: c.post("/auth/login", json={"email": 5}))


def _order(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=3)
    headers = bearer(register(client)[1])
    body = order_body(shop.product_id, {i: 2 for i in shop.item_ids})
    return Probe(201, lambda c: c.post("/orders", json=body, headers=headers))


def _order_retry(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=2)
    headers = bearer(register(client)[1])
    body = order_body(shop.product_id, {i: 1 for i in shop.item_ids})
    expect(client.post("/orders", json=body, headers=headers), 201)
    return Probe(200, lambda c: c.post("/orders", json=body, headers=headers))


def _order_out_of_stock(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=2, item_quantity=3)
    headers = bearer(register(client)[1])
    body = order_body(shop.product_id, {shop.item_ids[0]: 1, shop.item_ids[1]: 4})
    return Probe(409, lambda c: c.post("/orders", json=body, headers=headers))


def _order_duplicate(other_user: bool) -> Setup:
    def setup(client: httpx.Client, db: Db) -> Probe:
        shop = make_shop(db, items=2)
        headers = bearer(register(client)[1])
        body = order_body(shop.product_id, {shop.item_ids[0]: 1})
        expect(client.post("/orders", json=body, headers=headers), 201)
        if other_user:
            headers = bearer(register(client)[1])
        else:
            body = {**body, "items": [{"item_id": shop.item_ids[1], "quantity": 1}]}
        return Probe(409, lambda c: c.post("/orders", json=body, headers=headers))

    return setup


def _order_hidden_product(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=1)
    db.execute("UPDATE tb_product SET is_displayed = false WHERE id = %s", (shop.product_id,))
    headers = bearer(register(client)[1])
    body = order_body(shop.product_id, {shop.item_ids[0]: 1})
    return Probe(400, lambda c: c.post("/orders", json=body, headers=headers))


def _order_invalid_body(client: httpx.Client, db: Db) -> Probe:
    headers = bearer(register(client)[1])
    return Probe(400, lambda c: c.post("/orders", json={"items": []}, headers=headers))


def _order_no_token(client: httpx.Client, db: Db) -> Probe:
    return Probe(401, lambda c: c.post("/orders", json={}))


def _order_get(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=2)
    headers = bearer(register(client)[1])
    body = order_body(shop.product_id, {i: 1 for i in shop.item_ids})
    pk = expect(client.post("/orders", json=body, headers=headers), 201)["pk"]
    return Probe(200, lambda c: c.get(f"/orders/{pk}", headers=headers))


def _order_get_foreign(client: httpx.Client, db: Db) -> Probe:
    shop = make_shop(db, items=1)
    owner = bearer(register(client)[1])
    body = order_body(shop.product_id, {shop.item_ids[0]: 1})
    pk = expect(client.post("/orders", json=body, headers=owner), 201)["pk"]
    other = bearer(register(client)[1])
    return Probe(404, lambda c: c.get(f"/orders/{pk}", headers=other))


def _order_get_missing(client: httpx.Client, db: Db) -> Probe:
    headers = bearer(register(client)[1])
    return Probe(404, lambda c: c.get(f"/orders/{MAX_BIGINT}", headers=headers))


def _deleted_user(client: httpx.Client, db: Db) -> Probe:
    pk, token, _ = register(client)
    db.execute("DELETE FROM tb_auth_user WHERE id = %s", (pk,))
    return Probe(401, lambda c: c.get(f"/orders/{MAX_BIGINT}", headers=bearer(token)))


# name -> (count from DECISIONS.md, or None where it names no number: then only parity)
CASES: Mapping[str, tuple[int | None, Setup]] = {
    "health": (1, _health),
    "products-list": (1, _list),
    "products-list-page": (1, _list_page),
    "products-list-bad-limit": (None, _list_bad_limit),
    "product-detail": (2, _detail),
    "product-detail-hidden": (None, _detail_hidden),
    "product-detail-bad-id": (None, _detail_bad_id),
    "register": (1, _register),
    "register-taken": (None, _register_taken),
    "register-invalid": (None, _register_invalid),
    "login": (1, _login(PASSWORD, 200)),
    "login-wrong-password": (1, _login(PASSWORD + "x", 401)),
    "login-unknown-email": (1, _login(PASSWORD, 401, known=False)),
    "login-invalid": (None, _login_invalid),
    "order-create": (7, _order),
    "order-retry": (3, _order_retry),
    "order-out-of-stock": (5, _order_out_of_stock),
    "order-duplicate-same-user": (None, _order_duplicate(other_user=False)),
    "order-duplicate-other-user": (None, _order_duplicate(other_user=True)),
    "order-hidden-product": (None, _order_hidden_product),
    "order-invalid-body": (None, _order_invalid_body),
    "order-no-token": (None, _order_no_token),
    "order-get": (3, _order_get),
    "order-get-foreign": (None, _order_get_foreign),
    "order-get-missing": (None, _order_get_missing),
    "deleted-user-token": (None, _deleted_user),
}


def _measure(app: AppServer, query_counter: QueryCounter, setup: Setup) -> int:
    with (
        httpx.Client(base_url=app.base_url, timeout=10) as client,
        psycopg.connect(app.database_url, autocommit=True) as db,
    ):
        probe = setup(client, db)
        with query_counter(app) as counted:
            resp = probe.send(client)
        assert resp.status_code == probe.status, describe(resp)
        return counted.count


@pytest.mark.parametrize("case", list(CASES))
def test_query_count(apps: Mapping[str, AppServer], query_counter: QueryCounter, case: str) -> None:
    documented, setup = CASES[case]
    counts = {name: _measure(app, query_counter, setup) for name, app in apps.items()}
    if documented is not None:
        assert counts == dict.fromkeys(apps, documented)
    assert len(set(counts.values())) == 1, f"the apps differ: {counts}"
