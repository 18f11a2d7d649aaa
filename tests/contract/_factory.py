"""Rows, users and response checks shared by the contract tests.

Tests create the rows they need with plain SQL, so they depend on nothing in the seed beyond
what the fixtures document, and they never mutate seeded rows.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from psycopg import Connection
from psycopg.rows import TupleRow

Db = Connection[TupleRow]

MAX_BIGINT = 2**63 - 1
BODY_LIMIT = 65536
PASSWORD = "contract-password"
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
ORDER_KEYS = {"pk", "order_number", "status", "product_id", "total_price", "created_dtm", "items"}
ORDER_ITEM_KEYS = {"pk", "item_id", "quantity", "price"}


class AppServer(Protocol):
    """The lead's `app` fixture: one app server behind Nginx, with its own database."""

    @property
    def name(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    @property
    def direct_url(self) -> str: ...

    @property
    def database_url(self) -> str: ...


class QueryCount(Protocol):
    @property
    def count(self) -> int: ...


QueryCounter = Callable[[AppServer], AbstractContextManager[QueryCount]]
FreshDb = Callable[[AppServer], None]


def url_of(app: AppServer, via: str) -> str:
    """Through Nginx ("nginx") or straight to the app server ("direct")."""
    return app.base_url if via == "nginx" else app.direct_url


# --- responses -------------------------------------------------------------------------


def describe(resp: httpx.Response) -> str:
    return (
        f"{resp.request.method} {resp.request.url} -> {resp.status_code} "
        f"{resp.headers.get('content-type')!r} {resp.content[:400]!r}"
    )


def media_type(resp: httpx.Response) -> str:
    content_type: str = resp.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower()


def _reject_float(text: str) -> Any:
    raise AssertionError(f"floats are not allowed in responses, got {text}")


def _reject_constant(text: str) -> Any:
    raise AssertionError(f"non-JSON constant in response: {text}")


def parse_json(resp: httpx.Response) -> Any:
    """The body as JSON; fails unless it is `application/json` with integers only."""
    assert media_type(resp) == "application/json", describe(resp)
    return json.loads(resp.content, parse_float=_reject_float, parse_constant=_reject_constant)


def expect(resp: httpx.Response, status: int) -> Any:
    assert resp.status_code == status, f"expected {status}: {describe(resp)}"
    return parse_json(resp)


def assert_envelope(body: Any) -> None:
    """`{"error": {"code": str, "message": str[, "fields": {str: str}]}}` and nothing else."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error, dict), body
    assert {"code", "message"} <= set(error) <= {"code", "message", "fields"}, body
    assert isinstance(error["code"], str) and error["code"], body
    assert isinstance(error["message"], str) and error["message"], body
    if "fields" in error:
        fields = error["fields"]
        assert isinstance(fields, dict), body
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items()), body


def expect_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    body = expect(resp, status)
    assert_envelope(body)
    assert body["error"]["code"] == code, describe(resp)
    error: dict[str, Any] = body["error"]
    return error


def assert_client_error(resp: httpx.Response) -> dict[str, Any]:
    """Any 4xx in the JSON envelope (never a 5xx, never HTML)."""
    assert 400 <= resp.status_code < 500, describe(resp)
    body = parse_json(resp)
    assert_envelope(body)
    error: dict[str, Any] = body["error"]
    return error


def is_int(value: Any) -> bool:
    return type(value) is int


def parse_timestamp(text: str) -> datetime:
    assert TIMESTAMP_RE.match(text), text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def check_order_shape(order: Any) -> None:
    """The Order shape of API.md, with its arithmetic and item ordering."""
    assert isinstance(order, dict) and set(order) == ORDER_KEYS, order
    assert is_int(order["pk"]) and order["pk"] > 0
    assert isinstance(order["order_number"], str)
    assert order["status"] == "COMPLETED"
    assert is_int(order["product_id"]) and is_int(order["total_price"])
    parse_timestamp(order["created_dtm"])
    items = order["items"]
    assert isinstance(items, list) and items
    for item in items:
        assert isinstance(item, dict) and set(item) == ORDER_ITEM_KEYS, item
        assert all(is_int(item[k]) for k in ORDER_ITEM_KEYS), item
    assert [i["item_id"] for i in items] == sorted(i["item_id"] for i in items)
    assert order["total_price"] == sum(i["price"] * i["quantity"] for i in items)


# --- rows ------------------------------------------------------------------------------


def make_product(db: Db, *, name: str = "contract product", is_displayed: bool = True) -> int:
    row = db.execute(
        "INSERT INTO tb_product (name, is_displayed) VALUES (%s, %s) RETURNING id",
        (name, is_displayed),
    ).fetchone()
    assert row is not None
    return int(row[0])


def make_item(
    db: Db,
    product_id: int,
    *,
    name: str = "contract item",
    cost: int = 1000,
    price: int = 900,
    item_quantity: int = 100,
    sold_quantity: int = 0,
    is_active: bool = True,
    sale_start_dtm: datetime | None = None,
    sale_close_dtm: datetime | None = None,
) -> int:
    row = db.execute(
        "INSERT INTO tb_product_item (product_id, name, cost, price, item_quantity, "
        "sold_quantity, is_active, sale_start_dtm, sale_close_dtm) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            product_id,
            name,
            cost,
            price,
            item_quantity,
            sold_quantity,
            is_active,
            sale_start_dtm,
            sale_close_dtm,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


@dataclass(frozen=True)
class Shop:
    """A displayed product and its purchasable items."""

    product_id: int
    item_ids: list[int]


def make_shop(
    db: Db, *, items: int = 2, item_quantity: int = 100, price: int = 900, cost: int = 1000
) -> Shop:
    product_id = make_product(db)
    item_ids = [
        make_item(
            db,
            product_id,
            name=f"item {n}",
            cost=cost,
            price=price + n,
            item_quantity=item_quantity,
        )
        for n in range(items)
    ]
    return Shop(product_id, item_ids)


def sold_quantities(db: Db, item_ids: Iterable[int]) -> dict[int, int]:
    rows = db.execute(
        "SELECT id, sold_quantity FROM tb_product_item WHERE id = ANY(%s)", (list(item_ids),)
    ).fetchall()
    return {int(pk): int(sold) for pk, sold in rows}


def list_offset(db: Db, product_id: int) -> int:
    """The offset at which GET /products lists this product first."""
    row = db.execute(
        "SELECT count(*) FROM tb_product WHERE is_displayed AND id < %s", (product_id,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def displayed_count(db: Db) -> int:
    row = db.execute("SELECT count(*) FROM tb_product WHERE is_displayed").fetchone()
    assert row is not None
    return int(row[0])


def row_counts(db: Db) -> dict[str, int]:
    counts = {}
    for table in ("tb_auth_user", "tb_product", "tb_product_item", "tb_order", "tb_order_item"):
        row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        counts[table] = int(row[0])
    return counts


def stored_order(db: Db, order_number: str) -> dict[str, Any] | None:
    """The order row and its item rows, as the API would describe them, or None."""
    row = db.execute(
        "SELECT id, order_number, user_id, product_id, status, total_price, created_dtm "
        "FROM tb_order WHERE order_number = %s",
        (order_number,),
    ).fetchone()
    if row is None:
        return None
    items = db.execute(
        "SELECT id, item_id, quantity, price FROM tb_order_item WHERE order_id = %s "
        "ORDER BY item_id",
        (row[0],),
    ).fetchall()
    return {
        "pk": row[0],
        "order_number": row[1],
        "user_id": row[2],
        "product_id": row[3],
        "status": row[4],
        "total_price": row[5],
        "created_dtm": row[6],
        "items": [{"pk": i[0], "item_id": i[1], "quantity": i[2], "price": i[3]} for i in items],
    }


# --- users and requests ----------------------------------------------------------------


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex}@example.com"


def new_order_number() -> str:
    return f"ord-{uuid.uuid4().hex}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(
    client: httpx.Client, *, email: str | None = None, password: str = PASSWORD
) -> tuple[int, str, str]:
    """A new user through the API: (pk, token, email)."""
    email = email or unique_email()
    body = expect(client.post("/auth/register", json={"email": email, "password": password}), 201)
    return int(body["user"]["pk"]), str(body["token"]), email


def order_body(
    product_id: int, items: Mapping[int, int], *, order_number: str | None = None
) -> dict[str, Any]:
    return {
        "order_number": order_number or new_order_number(),
        "product_id": product_id,
        "items": [{"item_id": i, "quantity": q} for i, q in items.items()],
    }


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_exchange(url: str, data: bytes) -> RawResponse:
    """Send hand-made request bytes and read one response; for framing httpx will not produce."""
    parsed = httpx.URL(url)
    assert parsed.host and parsed.port
    with socket.create_connection((parsed.host, parsed.port), timeout=10) as sock:
        sock.sendall(data)
        resp = http.client.HTTPResponse(sock)
        try:
            resp.begin()
            body = resp.read()
            headers = {k.lower(): v for k, v in resp.getheaders()}
            return RawResponse(resp.status, headers, body)
        finally:
            resp.close()
