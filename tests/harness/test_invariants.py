"""The invariants checks against a real PostgreSQL holding the project's schema."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest

from infra.database import apply_schema, recreate_database
from scripts.harness.invariants import check_invariants

Db = psycopg.Connection[tuple[object, ...]]

# Item 1: 10 in stock, 3 ordered; item 2: 5 in stock, 2 ordered; item 3: never ordered.
# Order 1: 2 x item 1 at 100 + 2 x item 2 at 50 = 300; order 2: 1 x item 1 at 100 = 100.
ROWS = """
INSERT INTO tb_auth_user (id, email, password) VALUES (1, 'a@example.com', 'x');
INSERT INTO tb_product (id, name) VALUES (1, 'Kettle');
INSERT INTO tb_product_item (id, product_id, name, cost, price, item_quantity, sold_quantity)
VALUES (1, 1, 'Small', 120, 100, 10, 3), (2, 1, 'Large', 60, 50, 5, 2),
       (3, 1, 'Blue', 10, 10, 5, 0);
INSERT INTO tb_order (id, order_number, user_id, product_id, status, total_price)
VALUES (1, 'o-1', 1, 1, 'paid', 300), (2, 'o-2', 1, 1, 'paid', 100);
INSERT INTO tb_order_item (order_id, item_id, quantity, price)
VALUES (1, 1, 2, 100), (1, 2, 2, 50), (2, 1, 1, 100);
"""


@pytest.fixture(scope="module")
def database_url(pg_admin_url: str) -> str:
    url = recreate_database(pg_admin_url, f"harness_invariants_{secrets.token_hex(4)}")
    apply_schema(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(ROWS.encode())
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Db]:
    """A connection whose changes are rolled back after the test."""
    with psycopg.connect(database_url) as conn:
        yield conn
        conn.rollback()


def violations(db: Db) -> dict[str, int]:
    return {name: c["violations"] for name, c in check_invariants(db)["checks"].items()}


def test_a_consistent_database_passes_every_check(db: Db) -> None:
    result = check_invariants(db)
    assert result["ok"] is True
    assert result["checks"] == {
        "sold_equals_ordered": {"ok": True, "violations": 0},
        "no_oversell": {"ok": True, "violations": 0},
        "no_order_without_items": {"ok": True, "violations": 0},
        "total_price_matches": {"ok": True, "violations": 0},
    }


def test_sold_quantity_not_matching_the_orders_is_counted(db: Db) -> None:
    db.execute("UPDATE tb_product_item SET sold_quantity = sold_quantity + 1 WHERE id IN (1, 3)")
    assert check_invariants(db)["ok"] is False
    assert violations(db)["sold_equals_ordered"] == 2


def test_oversold_items_are_counted(db: Db) -> None:
    # The schema's CHECK forbids oversell; drop it to see that the check would notice anyway.
    db.execute("""
        DO $$ DECLARE c text; BEGIN
          FOR c IN SELECT conname FROM pg_constraint
                    WHERE conrelid = 'tb_product_item'::regclass AND contype = 'c'
                      AND pg_get_constraintdef(oid) LIKE '%sold_quantity%'
                      AND pg_get_constraintdef(oid) LIKE '%item_quantity%'
          LOOP EXECUTE format('ALTER TABLE tb_product_item DROP CONSTRAINT %I', c); END LOOP;
        END $$""")
    db.execute("UPDATE tb_product_item SET item_quantity = 1 WHERE id = 2")
    assert violations(db) == {
        "sold_equals_ordered": 0,
        "no_oversell": 1,
        "no_order_without_items": 0,
        "total_price_matches": 0,
    }


def test_orders_without_items_are_counted(db: Db) -> None:
    db.execute(
        "INSERT INTO tb_order (id, order_number, user_id, product_id, status, total_price)"
        " VALUES (3, 'o-empty', 1, 1, 'paid', 0)"
    )
    assert violations(db) == {
        "sold_equals_ordered": 0,
        "no_oversell": 0,
        "no_order_without_items": 1,
        "total_price_matches": 0,
    }


def test_a_total_price_not_matching_its_items_is_counted(db: Db) -> None:
    db.execute("UPDATE tb_order SET total_price = 301 WHERE id = 1")
    db.execute("UPDATE tb_order_item SET price = 99 WHERE order_id = 2")
    assert violations(db)["total_price_matches"] == 2
    assert check_invariants(db)["ok"] is False
