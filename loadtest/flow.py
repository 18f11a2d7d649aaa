"""The shopper flow's pure parts: who logs in, what to pick, and what a good body looks like.

Every `parse_*` function raises BodyError with a short, fixed message (it becomes a Locust
error key, so it must not contain ids) when a body lacks the keys or types of API.md.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

# The API's default page: the shopper asks for it explicitly.
PAGE_SIZE = 20


class BodyError(ValueError):
    """A response body does not have the shape the contract promises."""


@dataclass(frozen=True, slots=True)
class ProductSummary:
    pk: int
    price: int | None
    is_active: bool


@dataclass(frozen=True, slots=True)
class ItemStock:
    pk: int
    price: int
    in_stock: bool


def bench_user_number(
    *, sequence: int, worker_index: int, worker_count: int, user_count: int
) -> int:
    """1-based seeded user for the `sequence`-th simulated user of one Locust worker.

    Workers interleave (worker w takes w, w + count, ...) so they never share a user until
    the seeded users run out; then numbers wrap around.
    """
    return (sequence * worker_count + worker_index) % user_count + 1


def order_number(*, run_id: str, worker_index: int, sequence: int, counter: int) -> str:
    return f"{run_id}-{worker_index}-{sequence}-{counter}"


def products_offset(rng: random.Random, *, pages: int) -> int:
    """An offset whose page of PAGE_SIZE still lies within the first `pages` pages."""
    return rng.randint(0, (pages - 1) * PAGE_SIZE)


def pick_product(products: list[ProductSummary], rng: random.Random) -> ProductSummary | None:
    active = [p for p in products if p.is_active]
    return rng.choice(active) if active else None


def pick_item(
    items: list[ItemStock], *, listed_price: int | None, rng: random.Random
) -> int | None:
    """An item with stock, preferring one at the product's listed price.

    The list price is the lowest purchasable price, so an item at that price is known to be
    on sale; the detail does not show sale windows, and a closed one would answer 400.
    """
    in_stock = [i for i in items if i.in_stock]
    at_listed_price = [i for i in in_stock if i.price == listed_price]
    pool = at_listed_price or in_stock
    return rng.choice(pool).pk if pool else None


def parse_login(body: Any) -> str:
    obj = _object(body)
    user = _object(obj.get("user"))
    if not isinstance(obj.get("token"), str) or not obj["token"]:
        raise BodyError("login body has no token")
    _require(user, {"pk": int, "email": str}, "login user")
    return str(obj["token"])


def parse_product_list(body: Any) -> list[ProductSummary]:
    if not isinstance(body, list):
        raise BodyError("product list is not an array")
    products = []
    for entry in body:
        obj = _object(entry)
        _require(obj, {"pk": int, "name": str, "is_active": bool}, "product summary")
        if "price" not in obj:
            raise BodyError("product summary lacks price")
        price = obj["price"]
        if price is not None and _kind(price) is not int:
            raise BodyError("product summary price is not an integer or null")
        products.append(ProductSummary(pk=obj["pk"], price=price, is_active=obj["is_active"]))
    return products


def parse_product_detail(body: Any, *, pk: int) -> list[ItemStock]:
    obj = _object(body)
    _require(obj, {"pk": int, "name": str, "items": list}, "product detail")
    if obj["pk"] != pk:
        raise BodyError("product detail has another pk")
    items = []
    for entry in obj["items"]:
        item = _object(entry)
        _require(item, dict.fromkeys(_ITEM_INTS, int) | {"name": str}, "product item")
        in_stock = item["sold_quantity"] < item["item_quantity"]
        items.append(ItemStock(pk=item["pk"], price=item["price"], in_stock=in_stock))
    return items


def parse_order(body: Any, *, order_number: str | None = None, pk: int | None = None) -> int:
    """The order's pk, after checking the order's shape and that it is the one expected."""
    obj = _object(body)
    _require(obj, _ORDER_FIELDS, "order")
    if obj["status"] != "COMPLETED":
        raise BodyError("order status is not COMPLETED")
    if order_number is not None and obj["order_number"] != order_number:
        raise BodyError("order has another order_number")
    if pk is not None and obj["pk"] != pk:
        raise BodyError("order has another pk")
    if not obj["items"]:
        raise BodyError("order has no items")
    for entry in obj["items"]:
        _require(
            _object(entry), dict.fromkeys(("pk", "item_id", "quantity", "price"), int), "order item"
        )
    return int(obj["pk"])


_ITEM_INTS = ("pk", "cost", "price", "discount", "item_quantity", "sold_quantity")
_ORDER_FIELDS: dict[str, type] = {
    "pk": int,
    "order_number": str,
    "status": str,
    "product_id": int,
    "total_price": int,
    "created_dtm": str,
    "items": list,
}


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BodyError("expected a JSON object")
    return value


def _kind(value: Any) -> type:
    # bool is a subclass of int; the contract never uses one for the other.
    return type(value)


def _require(obj: dict[str, Any], fields: dict[str, type], what: str) -> None:
    for name, kind in fields.items():
        if name not in obj:
            raise BodyError(f"{what} lacks {name}")
        if _kind(obj[name]) is not kind:
            raise BodyError(f"{what} {name} is not {kind.__name__}")
