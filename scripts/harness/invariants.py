"""Database invariants checked after a run: stock accounting, no oversell, no empty orders.

The seed starts every item at sold_quantity 0, so after any number of orders each item's
sold_quantity must equal the quantities ordered of it. All checks run in one statement,
hence against one snapshot.
"""

from __future__ import annotations

from typing import Any, TypedDict

import psycopg


class Check(TypedDict):
    ok: bool
    violations: int


class Invariants(TypedDict):
    ok: bool
    checks: dict[str, Check]


CHECKS = ("sold_equals_ordered", "no_oversell", "no_order_without_items", "total_price_matches")

_QUERY = """
SELECT
  (SELECT count(*) FROM tb_product_item i
     LEFT JOIN (SELECT item_id, sum(quantity) AS ordered FROM tb_order_item GROUP BY item_id) o
       ON o.item_id = i.id
    WHERE i.sold_quantity <> coalesce(o.ordered, 0)),
  (SELECT count(*) FROM tb_product_item WHERE sold_quantity > item_quantity),
  (SELECT count(*) FROM tb_order o
    WHERE NOT EXISTS (SELECT 1 FROM tb_order_item oi WHERE oi.order_id = o.id)),
  (SELECT count(*) FROM tb_order o
     LEFT JOIN (SELECT order_id, sum(price * quantity) AS total FROM tb_order_item
                 GROUP BY order_id) t
       ON t.order_id = o.id
    WHERE o.total_price <> coalesce(t.total, 0))
"""


def check_invariants(conn: psycopg.Connection[Any]) -> Invariants:
    """Count the violations of each invariant; the caller owns the connection's transaction."""
    row = conn.execute(_QUERY).fetchone()
    if row is None:
        raise RuntimeError("invariants query returned no row")
    checks: dict[str, Check] = {
        name: {"ok": count == 0, "violations": int(count)}
        for name, count in zip(CHECKS, row, strict=True)
    }
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
