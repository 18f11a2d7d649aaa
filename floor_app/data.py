"""The plain results selectors and services return, and handlers shape into responses.

Shared by copy: this file is byte-identical in every app folder (tests/contract/test_twins.py),
so it imports only the standard library.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class UserData:
    pk: int
    email: str
    password: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class ProductSummary:
    pk: int
    name: str
    price: int | None

    @property
    def is_active(self) -> bool:
        return self.price is not None


@dataclass(frozen=True, slots=True)
class ProductItemData:
    pk: int
    name: str
    cost: int
    price: int
    item_quantity: int
    sold_quantity: int

    @property
    def discount(self) -> int:
        return 100 - self.price * 100 // self.cost if self.cost else 0


@dataclass(frozen=True, slots=True)
class ProductDetail:
    pk: int
    name: str
    items: list[ProductItemData]


@dataclass(frozen=True, slots=True)
class OrderItemData:
    pk: int
    item_id: int
    quantity: int
    price: int


@dataclass(frozen=True, slots=True)
class OrderData:
    pk: int
    order_number: str
    user_id: int
    product_id: int
    status: str
    total_price: int
    created_dtm: datetime
    items: list[OrderItemData] = dataclasses.field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AuthData:
    token: str
    user: UserData
