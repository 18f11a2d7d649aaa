"""Seed data on a real PostgreSQL: deterministic, sized by options, exercising every rule."""

from __future__ import annotations

import base64
import hashlib

import psycopg
import pytest

from infra.database import apply_schema, recreate_database
from infra.fixtures import BENCH_PASSWORD
from infra.seed import SeedOptions, django_pbkdf2_hash, seed

OPTS = SeedOptions(
    products=60, hidden_products=4, unpriced_products=3, users=25, hash_iterations=10
)

CONTENT = (
    "SELECT p.id, p.name, p.is_displayed, i.id, i.name, i.cost, i.price, i.is_active,"
    " i.sale_start_dtm IS NULL, i.sale_close_dtm IS NULL, i.item_quantity, i.sold_quantity"
    " FROM tb_product p JOIN tb_product_item i ON i.product_id = p.id ORDER BY i.id"
)


@pytest.fixture
def seeded(pg_admin_url: str) -> str:
    url = recreate_database(pg_admin_url, "seed_test")
    apply_schema(url)
    assert seed(url, OPTS) == {"products": 64, "items": _count(url, "tb_product_item"), "users": 25}
    return url


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


def test_same_seed_same_rows(seeded: str, pg_admin_url: str) -> None:
    other = recreate_database(pg_admin_url, "seed_test_again")
    apply_schema(other)
    seed(other, OPTS)
    with psycopg.connect(seeded) as a, psycopg.connect(other) as b:
        assert a.execute(CONTENT).fetchall() == b.execute(CONTENT).fetchall()


def test_every_rule_has_rows(seeded: str) -> None:
    with psycopg.connect(seeded) as conn:

        def scalar(sql: str) -> int:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return int(row[0])

        assert scalar("SELECT count(*) FROM tb_product WHERE is_displayed") == 60
        assert scalar("SELECT count(*) FROM tb_product WHERE NOT is_displayed") == 4
        assert scalar("SELECT count(*) FROM tb_product_item WHERE NOT is_active") > 0
        assert scalar("SELECT count(*) FROM tb_product_item WHERE sale_close_dtm < now()") > 0
        assert scalar("SELECT count(*) FROM tb_product_item WHERE sale_start_dtm > now()") > 0
        assert scalar("SELECT max(sold_quantity) FROM tb_product_item") == 0
        items_per_product = conn.execute(
            "SELECT min(n), max(n) FROM"
            " (SELECT count(*) n FROM tb_product_item GROUP BY product_id) c"
        ).fetchone()
        assert items_per_product == (OPTS.min_items, OPTS.max_items)
        # Displayed products with nothing purchasable: exactly the "unpriced" ones.
        unpriced = scalar(
            "SELECT count(*) FROM tb_product p WHERE p.is_displayed AND NOT EXISTS ("
            " SELECT 1 FROM tb_product_item i WHERE i.product_id = p.id AND i.is_active"
            " AND (i.sale_start_dtm IS NULL OR i.sale_start_dtm <= now())"
            " AND (i.sale_close_dtm IS NULL OR i.sale_close_dtm > now())"
            " AND i.sold_quantity < i.item_quantity)"
        )
        assert unpriced == 3
        assert scalar("SELECT count(*) FROM tb_product_item WHERE price > cost") == 0


def test_users_and_password_hash(seeded: str) -> None:
    with psycopg.connect(seeded) as conn:
        rows = conn.execute("SELECT email, password FROM tb_auth_user ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [f"bench-{n}@example.com" for n in range(1, 26)]
    algorithm, iterations, salt, digest = str(rows[0][1]).split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "10")
    expected = hashlib.pbkdf2_hmac("sha256", BENCH_PASSWORD.encode(), salt.encode(), 10)
    assert base64.b64decode(digest) == expected


def test_new_rows_get_fresh_ids(seeded: str) -> None:
    with psycopg.connect(seeded) as conn:
        row = conn.execute("INSERT INTO tb_product (name) VALUES ('new') RETURNING id").fetchone()
    assert row is not None and row[0] == 65


def test_hash_format_matches_django() -> None:
    # Known vector: Django's PBKDF2PasswordHasher encodes "pw", salt "salt", 1 iteration as:
    assert django_pbkdf2_hash("pw", iterations=1, salt="salt") == (
        "pbkdf2_sha256$1$salt$"
        + base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1)).decode()
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"products": -1},
        {"min_items": 0},
        {"min_items": 4, "max_items": 3},
        {"unpriced_products": 500},
        {"hash_iterations": 0},
    ],
)
def test_bad_options(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        SeedOptions(**kwargs)
