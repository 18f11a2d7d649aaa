"""Whole-database invariants after mixed order traffic from a freshly seeded state."""

from __future__ import annotations

import httpx

from tests.contract._factory import (
    AppServer,
    Db,
    FreshDb,
    bearer,
    expect,
    expect_error,
    make_shop,
    order_body,
)

# Each query counts rows that break an invariant; all must be 0.
INVARIANTS = {
    "order without items": """
        SELECT count(*) FROM tb_order o
         WHERE NOT EXISTS (SELECT 1 FROM tb_order_item i WHERE i.order_id = o.id)""",
    "total_price != sum(price * quantity)": """
        SELECT count(*) FROM tb_order o
         WHERE o.total_price <> (SELECT sum(i.price * i.quantity)
                                   FROM tb_order_item i WHERE i.order_id = o.id)""",
    "order item of another product": """
        SELECT count(*) FROM tb_order_item i
          JOIN tb_order o ON o.id = i.order_id
          JOIN tb_product_item p ON p.id = i.item_id
         WHERE p.product_id <> o.product_id""",
    "item twice in one order": """
        SELECT count(*) FROM (SELECT order_id, item_id FROM tb_order_item
                               GROUP BY order_id, item_id HAVING count(*) > 1) d""",
    "status other than COMPLETED": "SELECT count(*) FROM tb_order WHERE status <> 'COMPLETED'",
    "oversold item": "SELECT count(*) FROM tb_product_item WHERE sold_quantity > item_quantity",
}


def test_invariants_hold_after_mixed_traffic(
    app: AppServer, client: httpx.Client, db: Db, fresh_db: FreshDb
) -> None:
    fresh_db(app)
    shop = make_shop(db, items=3, item_quantity=6)
    a, b, c = shop.item_ids
    users = []
    for n in range(2):
        body = {"email": f"invariants-{n}@example.com", "password": "invariants-pw"}
        users.append(bearer(expect(client.post("/auth/register", json=body), 201)["token"]))

    placed = order_body(shop.product_id, {a: 2, b: 1})
    expect(client.post("/orders", json=placed, headers=users[0]), 201)
    expect(client.post("/orders", json=placed, headers=users[0]), 200)
    expect_error(
        client.post("/orders", json=placed, headers=users[1]), 409, "duplicate_order_number"
    )
    expect(client.post("/orders", json=order_body(shop.product_id, {c: 6}), headers=users[1]), 201)
    expect_error(
        client.post("/orders", json=order_body(shop.product_id, {a: 1, c: 1}), headers=users[0]),
        409,
        "out_of_stock",
    )
    expect(
        client.post("/orders", json=order_body(shop.product_id, {b: 5, a: 4}), headers=users[1]),
        201,
    )
    expect_error(
        client.post(
            "/orders",
            json=order_body(shop.product_id, {a: 1}, order_number="x y"),
            headers=users[0],
        ),
        400,
        "validation_error",
    )

    for name, query in INVARIANTS.items():
        row = db.execute(query).fetchone()
        assert row == (0,), f"{name}: {row}"

    # Only this test's items were ordered since the reset, and their stock adds up.
    rows = db.execute(
        "SELECT p.id, p.sold_quantity, coalesce(sum(i.quantity), 0) FROM tb_product_item p "
        "LEFT JOIN tb_order_item i ON i.item_id = p.id WHERE p.id = ANY(%s) GROUP BY p.id "
        "ORDER BY p.id",
        (shop.item_ids,),
    ).fetchall()
    assert rows == [(a, 6, 6), (b, 6, 6), (c, 6, 6)]
    ordered = db.execute("SELECT DISTINCT item_id FROM tb_order_item ORDER BY item_id").fetchall()
    assert ordered == [(a,), (b,), (c,)]
    counts = db.execute("SELECT count(*) FROM tb_order").fetchone()
    assert counts == (3,)
