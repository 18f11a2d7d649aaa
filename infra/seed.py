"""Deterministic seed data, written with COPY so 100k products take seconds.

Every rule in API.md has rows that exercise it: hidden products, inactive items, items whose
sale window is closed or not yet open, displayed products with nothing purchasable (price
null), and plenty of stock everywhere else. `sold_quantity` starts at 0 so that after a run
each item's sold quantity must equal the quantities ordered (the invariants check).
"""

from __future__ import annotations

import base64
import hashlib
import random
import secrets
import string
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import psycopg

from infra.fixtures import BENCH_PASSWORD, bench_email

DJANGO_DEFAULT_ITERATIONS = 1_000_000
# Logging in is outside the measured flow, but its CPU is not: at Django's 1M rounds a login
# costs ~0.6 s of the 1-CPU envelope, so a step adding 45 users would spend ~26 s of its
# measured window verifying passwords. Seeded benchmark users therefore get cheap hashes;
# SEED_HASH_ITERATIONS=1000000 puts the realistic login cost back.
BENCH_USER_ITERATIONS = 1000

_ADJECTIVES = (
    "Classic",
    "Organic",
    "Compact",
    "Deluxe",
    "Everyday",
    "Rugged",
    "Smart",
    "Vintage",
    "Wireless",
    "Handmade",
    "Premium",
    "Portable",
    "Quiet",
    "Bright",
    "Eco",
)
_NOUNS = (
    "Backpack",
    "Kettle",
    "Desk Lamp",
    "Headphones",
    "Notebook",
    "Water Bottle",
    "Sneakers",
    "Coffee Grinder",
    "Chair",
    "Keyboard",
    "Jacket",
    "Tea Set",
    "Blender",
    "Umbrella",
    "Watch",
)
_VARIANTS = (
    "Small",
    "Medium",
    "Large",
    "Black",
    "White",
    "Blue",
    "Red",
    "Green",
    "Standard",
    "Pro",
    "Mini",
    "Max",
)


@dataclass(frozen=True)
class SeedOptions:
    """How much to seed; every field is a CLI flag of scripts/seed.py."""

    products: int = 100
    hidden_products: int = 5
    unpriced_products: int = 2
    min_items: int = 3
    max_items: int = 5
    stock: int = 1_000_000
    users: int = 1000
    hash_iterations: int = BENCH_USER_ITERATIONS
    seed: int = 42

    def __post_init__(self) -> None:
        for name in ("products", "hidden_products", "unpriced_products", "users", "stock"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if not 1 <= self.min_items <= self.max_items:
            raise ValueError("items per product must satisfy 1 <= min_items <= max_items")
        if self.unpriced_products > self.products:
            raise ValueError("unpriced_products cannot exceed products")
        if self.hash_iterations < 1:
            raise ValueError("hash_iterations must be >= 1")

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def django_pbkdf2_hash(password: str, *, iterations: int, salt: str | None = None) -> str:
    """A password hash in Django's `pbkdf2_sha256$iterations$salt$hash` format."""
    alphabet = string.ascii_letters + string.digits
    salt = salt or "".join(secrets.choice(alphabet) for _ in range(22))
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def _product_rows(opts: SeedOptions, rng: random.Random) -> Iterator[tuple[int, str, bool, str]]:
    """(id, name, is_displayed, kind) with kind in {normal, unpriced, hidden}."""
    total = opts.products + opts.hidden_products
    special = rng.sample(range(1, total + 1), opts.hidden_products + opts.unpriced_products)
    hidden = set(special[: opts.hidden_products])
    unpriced = set(special[opts.hidden_products :])
    for pk in range(1, total + 1):
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {pk}"
        kind = "hidden" if pk in hidden else "unpriced" if pk in unpriced else "normal"
        yield pk, name, pk not in hidden, kind


def _item_rows(
    opts: SeedOptions, rng: random.Random, now: datetime
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    products: list[tuple[object, ...]] = []
    items: list[tuple[object, ...]] = []
    item_pk = 0
    past, future = now - timedelta(days=30), now + timedelta(days=30)
    for pk, name, displayed, kind in _product_rows(opts, rng):
        products.append((pk, name, displayed))
        for n in range(rng.randint(opts.min_items, opts.max_items)):
            item_pk += 1
            cost = rng.randrange(1_000, 200_000, 100)
            price = cost * rng.randint(60, 100) // 100 // 10 * 10
            active, start, close = True, None, None
            if kind == "unpriced":
                start = future  # "coming soon": displayed, nothing purchasable yet
            elif n > 0:
                # The first item of a normal product always sells; later ones carry the rules.
                roll = rng.random()
                if roll < 0.10:
                    active = False
                elif roll < 0.17:
                    start, close = past - timedelta(days=30), past  # sale over
                elif roll < 0.24:
                    start = future  # not on sale yet
                elif roll < 0.40:
                    start, close = past, future  # open window with both ends set
            item_name = f"{name} - {rng.choice(_VARIANTS)}"[:100]
            items.append((item_pk, pk, item_name, cost, price, active, start, close, opts.stock))
    return products, items


def seed(conninfo: str, opts: SeedOptions | None = None) -> dict[str, int]:
    """Fill empty tables with the seed; return row counts. Sequences are moved past the ids."""
    opts = opts or SeedOptions()
    rng = random.Random(opts.seed)
    now = datetime.now(UTC)
    products, items = _item_rows(opts, rng, now)
    # All benchmark users share one hash: it is valid for each of them and seeding 1000
    # users at Django's 1M iterations would otherwise take minutes.
    password = django_pbkdf2_hash(BENCH_PASSWORD, iterations=opts.hash_iterations)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy("COPY tb_product (id, name, is_displayed) FROM STDIN") as copy:
            for row in products:
                copy.write_row(row)
        with cur.copy(
            "COPY tb_product_item (id, product_id, name, cost, price, is_active, "
            "sale_start_dtm, sale_close_dtm, item_quantity) FROM STDIN"
        ) as copy:
            for row in items:
                copy.write_row(row)
        with cur.copy("COPY tb_auth_user (email, password) FROM STDIN") as copy:
            for n in range(1, opts.users + 1):
                copy.write_row((bench_email(n), password))
        for table in ("tb_product", "tb_product_item"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE")
    return {"products": len(products), "items": len(items), "users": opts.users}
