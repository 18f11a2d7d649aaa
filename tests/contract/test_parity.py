"""Every app, the same requests from the same state: the same answers and the same rows after.

Ids, tokens and timestamps are normalised; error bodies compare by code. The script also holds
cases the contract leaves open (marked "open"), where only agreement between the apps matters.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Mapping
from typing import Any

import httpx
import psycopg
import pytest

from infra.appservers import APPS
from tests.contract._factory import (
    MAX_BIGINT,
    PASSWORD,
    AppServer,
    Db,
    FreshDb,
    assert_envelope,
    bearer,
    displayed_count,
    expect,
    expect_error,
    is_int,
    make_shop,
    media_type,
    order_body,
    parse_json,
    parse_timestamp,
    register,
    unique_email,
)
from tests.contract._jwt import claims_for, forge

ID_KEYS = {"pk", "product_id", "item_id"}

# Everything the apps may write, without generated ids, timestamps or password hashes.
# Foreign keys to rows the apps create are replaced by natural keys.
DUMP = {
    "users": "SELECT email, is_active, split_part(password, '$', 1), split_part(password, '$', 2) "
    "FROM tb_auth_user ORDER BY id",
    "products": "SELECT name, is_displayed FROM tb_product ORDER BY id",
    "items": "SELECT product_id, name, cost, price, is_active, item_quantity, sold_quantity "
    "FROM tb_product_item ORDER BY id",
    "orders": "SELECT o.order_number, u.email, o.product_id, o.status, o.total_price "
    "FROM tb_order o JOIN tb_auth_user u ON u.id = o.user_id ORDER BY o.id",
    "order_items": "SELECT o.order_number, i.item_id, i.quantity, i.price "
    "FROM tb_order_item i JOIN tb_order o ON o.id = i.order_id ORDER BY i.id",
}


def _dump(db: Db) -> dict[str, list[tuple[Any, ...]]]:
    return {name: db.execute(query).fetchall() for name, query in DUMP.items()}


class Normaliser:
    """Replaces generated values by stable placeholders, numbering ids by first appearance."""

    def __init__(self) -> None:
        self._ids: dict[str, dict[int, int]] = {}

    def __call__(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: self._field(k, v, f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, f"{path}[]") for v in value]
        return value

    def _field(self, key: str, value: Any, path: str) -> Any:
        if key in ID_KEYS and is_int(value):
            seen = self._ids.setdefault(path, {})
            return f"<{path} #{seen.setdefault(value, len(seen))}>"
        if key == "token":
            assert isinstance(value, str) and value.count(".") == 2, value
            return "<token>"
        if key == "created_dtm":
            parse_timestamp(value)
            return "<timestamp>"
        if key == "framework":
            return "<framework>"
        return self(value, path)


class Transcript:
    """Sends requests and records (label, status, normalised answer)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.entries: list[tuple[str, int, Any]] = []
        self._normalise = Normaliser()

    def __call__(self, label: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        resp = self.client.request(method, path, **kwargs)
        summary: Any
        if method == "HEAD":
            summary = {"content-type": media_type(resp)}
        elif path == "/openapi.json":
            # Compared as bytes: every app serves the same file.
            summary = {"sha256": hashlib.sha256(resp.content).hexdigest()}
        elif resp.status_code >= 400:
            body = parse_json(resp)
            assert_envelope(body)
            summary = {"error": body["error"]["code"]}
        else:
            root = path.split("?")[0].split("/")[1]
            summary = self._normalise(parse_json(resp), root)
        if resp.status_code == 405:
            summary = {**summary, "allow": resp.headers.get("allow")}
        self.entries.append((label, resp.status_code, summary))
        return resp


def _seeded_purchasable(db: Db) -> tuple[int, int]:
    row = db.execute(
        "SELECT i.product_id, i.id FROM tb_product_item i JOIN tb_product p ON p.id = i.product_id "
        "WHERE p.is_displayed AND i.is_active AND i.sold_quantity < i.item_quantity "
        "AND (i.sale_start_dtm IS NULL OR i.sale_start_dtm <= now()) "
        "AND (i.sale_close_dtm IS NULL OR i.sale_close_dtm > now()) ORDER BY i.id LIMIT 1"
    ).fetchone()
    assert row is not None, "the seed must have a purchasable item"
    return int(row[0]), int(row[1])


def _open_tokens(pk: int, key: str) -> dict[str, str]:
    """Tokens the contract does not rule on; both apps must still agree about each."""
    later = int(time.time()) + 3600
    return {
        "sub with leading zero": forge(claims_for(f"0{pk}"), key=key),
        "sub with plus sign": forge(claims_for(f"+{pk}"), key=key),
        "sub with space": forge(claims_for(f" {pk}"), key=key),
        "fractional exp": forge(claims_for(str(pk), exp=later + 0.5), key=key),
        "iat in the future": forge(claims_for(str(pk), iat=later), key=key),
        "iat missing": forge(claims_for(str(pk), iat=None), key=key),
        "nbf in the future": forge(claims_for(str(pk), nbf=later), key=key),
        "exp as string": forge(claims_for(str(pk), exp=str(later)), key=key),
    }


def _script(t: Transcript, db: Db, key: str) -> None:
    seeded_product, seeded_item = _seeded_purchasable(db)
    hidden = db.execute("SELECT min(id) FROM tb_product WHERE NOT is_displayed").fetchone()
    assert hidden is not None and hidden[0] is not None, "the seed must have a hidden product"
    shop = make_shop(db, items=3, item_quantity=5)
    i0, i1, i2 = shop.item_ids
    json_type = {"Content-Type": "application/json"}

    t("health", "GET", "/health")
    t("openapi", "GET", "/openapi.json")
    t("list", "GET", "/products")
    t("list page", "GET", "/products?limit=100&offset=3")
    t("list tail", "GET", f"/products?limit=5&offset={displayed_count(db) - 2}")
    for query in (
        "limit=abc",
        "limit=",
        "limit=0",
        "limit=101",
        "limit=5.0",
        "offset=-1",
        "limit=3&limit=x",
        "limit=x&limit=3",
        "offset=1e3",
    ):
        t(f"list {query}", "GET", f"/products?{query}")
    t("list open: limit=%2B5", "GET", "/products?limit=%2B5")
    t("detail seeded", "GET", f"/products/{seeded_product}")
    t("detail own", "GET", f"/products/{shop.product_id}")
    t("detail hidden", "GET", f"/products/{hidden[0]}")
    for bad in ("0", "007", "abc", "9223372036854775808", str(MAX_BIGINT)):
        t(f"detail {bad}", "GET", f"/products/{bad}")

    user = {"email": "Parity.User@Example.com", "password": PASSWORD}
    registered = t("register", "POST", "/auth/register", json=user).json()
    token_a = registered["token"]
    t("register taken", "POST", "/auth/register", json={**user, "email": "parity.user@example.COM"})
    t("register bad email", "POST", "/auth/register", json={**user, "email": "nope@"})
    t("register short password", "POST", "/auth/register", json={**user, "password": "short"})
    t("register missing", "POST", "/auth/register", json={"email": "x@example.com"})
    t("register wrong type", "POST", "/auth/register", json={**user, "password": 12345678})
    other = {"email": "parity.other@example.com", "password": "other-password"}
    token_b = t("register other", "POST", "/auth/register", json=other).json()["token"]
    t(
        "register duplicate keys",
        "POST",
        "/auth/register",
        headers=json_type,
        content=b'{"email": 1, "email": "dup.keys@example.com", "password": "long-enough"}',
    )

    t("login", "POST", "/auth/login", json=user)
    t("login upper", "POST", "/auth/login", json={**user, "email": user["email"].upper()})
    t("login wrong password", "POST", "/auth/login", json={**user, "password": "wrong-password"})
    t("login unknown", "POST", "/auth/login", json={**user, "email": "nobody@example.com"})
    t(
        "login seeded",
        "POST",
        "/auth/login",
        json={"email": "bench-2@example.com", "password": "bench-password"},
    )
    t("login missing", "POST", "/auth/login", json={"email": user["email"]})
    t("login open: not an email", "POST", "/auth/login", json={**user, "email": "not-an-email"})
    t("login open: short password", "POST", "/auth/login", json={**user, "password": "short"})
    t("login open: long password", "POST", "/auth/login", json={**user, "password": "x" * 129})
    t("login text/plain", "POST", "/auth/login", json=user, headers={"Content-Type": "text/plain"})
    t(
        "login open: Application/JSON",
        "POST",
        "/auth/login",
        json=user,
        headers={"Content-Type": "Application/JSON"},
    )
    t(
        "login open: charset latin-1",
        "POST",
        "/auth/login",
        json=user,
        headers={"Content-Type": "application/json; charset=latin-1"},
    )
    t("login invalid json", "POST", "/auth/login", content=b"{", headers=json_type)
    t("login too large", "POST", "/auth/login", content=b" " * 70_000, headers=json_type)

    a, b = bearer(token_a), bearer(token_b)
    first = order_body(shop.product_id, {i0: 2, i1: 1}, order_number="parity-1")
    created = t("order", "POST", "/orders", json=first, headers=a).json()
    t("order retry", "POST", "/orders", json=first, headers=a)
    t(
        "order retry reordered",
        "POST",
        "/orders",
        headers=a,
        json={**first, "items": first["items"][::-1]},
    )
    t(
        "order duplicate",
        "POST",
        "/orders",
        headers=a,
        json=order_body(shop.product_id, {i0: 3}, order_number="parity-1"),
    )
    t("order duplicate other user", "POST", "/orders", json=first, headers=b)
    t(
        "order out of stock",
        "POST",
        "/orders",
        headers=a,
        json=order_body(shop.product_id, {i0: 1, i2: 6}, order_number="parity-2"),
    )
    t(
        "order exact stock",
        "POST",
        "/orders",
        headers=b,
        json=order_body(shop.product_id, {i2: 5}, order_number="parity-3"),
    )
    t(
        "order sold out",
        "POST",
        "/orders",
        headers=b,
        json=order_body(shop.product_id, {i2: 1}, order_number="parity-4"),
    )
    t(
        "order seeded",
        "POST",
        "/orders",
        headers=b,
        json=order_body(seeded_product, {seeded_item: 1}, order_number="parity-5"),
    )
    t(
        "order hidden product",
        "POST",
        "/orders",
        headers=a,
        json=order_body(int(hidden[0]), {seeded_item: 1}, order_number="parity-6"),
    )
    t(
        "order foreign item",
        "POST",
        "/orders",
        headers=a,
        json=order_body(shop.product_id, {seeded_item: 1}, order_number="parity-7"),
    )
    t(
        "order bad number",
        "POST",
        "/orders",
        headers=a,
        json=order_body(shop.product_id, {i0: 1}, order_number="bad number"),
    )
    t("order no token", "POST", "/orders", json=first)
    t(
        "order no token, bad body",
        "POST",
        "/orders",
        content=b"x",
        headers={"Content-Type": "text/plain"},
    )
    t(
        "order text/plain",
        "POST",
        "/orders",
        content=b"{}",
        headers={**a, "Content-Type": "text/plain"},
    )
    t(
        "order open: too large without token",
        "POST",
        "/orders",
        content=b" " * 70_000,
        headers=json_type,
    )

    t("get order", "GET", f"/orders/{created['pk']}", headers=a)
    t("get order other user", "GET", f"/orders/{created['pk']}", headers=b)
    t("get order missing", "GET", f"/orders/{MAX_BIGINT}", headers=a)
    t("get order no token", "GET", f"/orders/{created['pk']}")
    t("get order open: bad id without token", "GET", "/orders/abc")
    t(
        "get order open: lower-case scheme",
        "GET",
        f"/orders/{created['pk']}",
        headers={"Authorization": f"bearer {token_a}"},
    )
    t(
        "get order open: two spaces",
        "GET",
        f"/orders/{created['pk']}",
        headers={"Authorization": f"Bearer  {token_a}"},
    )

    for label, token in _open_tokens(registered["user"]["pk"], key).items():
        t(f"token open: {label}", "GET", f"/orders/{MAX_BIGINT}", headers=bearer(token))

    t("HEAD /health", "HEAD", "/health")
    t("OPTIONS /products", "OPTIONS", "/products")
    t("DELETE /orders/1", "DELETE", "/orders/1")
    t("PUT /orders open: bad id", "PUT", "/orders/abc")
    t("GET /products/", "GET", "/products/")
    t("GET /docs", "GET", "/docs")
    t("POST /nope", "POST", "/nope", json={})


def test_same_requests_give_same_answers_and_rows(
    apps: Mapping[str, AppServer], fresh_db: FreshDb, secret_key: str
) -> None:
    transcripts: dict[str, list[tuple[str, int, Any]]] = {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for app in apps.values():
        fresh_db(app)
    for name, app in apps.items():
        with (
            httpx.Client(base_url=app.base_url, timeout=10) as client,
            psycopg.connect(app.database_url, autocommit=True) as db,
        ):
            before[name] = _dump(db)
            transcript = Transcript(client)
            _script(transcript, db, secret_key)
            transcripts[name] = transcript.entries
            after[name] = _dump(db)

    mismatches: list[str] = []
    for first, second in itertools.combinations(apps, 2):
        assert before[first] == before[second], f"the seed differs: {first}, {second}"
        mismatches += [
            f"{a[0]}: {first} {a[1]} {a[2]!r} != {second} {b[1]} {b[2]!r}"
            for a, b in zip(transcripts[first], transcripts[second], strict=True)
            if a != b
        ]
        mismatches += [
            f"{table} differs after the script: {first}, {second}"
            for table in DUMP
            if after[first][table] != after[second][table]
        ]
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(("source", "target"), list(itertools.permutations(APPS, 2)))
def test_user_and_token_work_across_apps(
    apps: Mapping[str, AppServer], source: str, target: str
) -> None:
    src, dst = apps[source], apps[target]
    with (
        httpx.Client(base_url=src.base_url, timeout=10) as src_client,
        httpx.Client(base_url=dst.base_url, timeout=10) as dst_client,
        psycopg.connect(src.database_url, autocommit=True) as src_db,
        psycopg.connect(dst.database_url, autocommit=True) as dst_db,
    ):
        # The user keeps its pk in the other database, so move the source's sequence past
        # every id the target already uses before registering.
        top = dst_db.execute("SELECT coalesce(max(id), 0) FROM tb_auth_user").fetchone()
        assert top is not None
        src_db.execute(
            "SELECT setval(pg_get_serial_sequence('tb_auth_user', 'id'), "
            "greatest((SELECT coalesce(max(id), 1) FROM tb_auth_user), %s))",
            (top[0],),
        )
        email = unique_email("cross")
        pk, src_token, _ = register(src_client, email=email)
        row = src_db.execute(
            "SELECT id, email, password, is_active FROM tb_auth_user WHERE id = %s", (pk,)
        ).fetchone()
        assert row is not None
        dst_db.execute(
            "INSERT INTO tb_auth_user (id, email, password, is_active) VALUES (%s, %s, %s, %s)",
            row,
        )
        dst_db.execute(
            "SELECT setval(pg_get_serial_sequence('tb_auth_user', 'id'), "
            "(SELECT max(id) FROM tb_auth_user))"
        )

        login = expect(
            dst_client.post("/auth/login", json={"email": email, "password": PASSWORD}), 200
        )
        assert login["user"] == {"pk": pk, "email": email}

        shop = make_shop(dst_db, items=1)
        body = order_body(shop.product_id, {shop.item_ids[0]: 1})
        order = expect(dst_client.post("/orders", json=body, headers=bearer(src_token)), 201)
        owner = dst_db.execute("SELECT user_id FROM tb_order WHERE id = %s", (order["pk"],))
        assert owner.fetchone() == (pk,)

        dst_token = login["token"]
        expect_error(
            src_client.get(f"/orders/{MAX_BIGINT}", headers=bearer(dst_token)), 404, "not_found"
        )
