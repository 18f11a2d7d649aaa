"""Bearer tokens: every way a token can be bad is 401 `unauthorized`, checked before the body."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.contract._factory import (
    MAX_BIGINT,
    Db,
    bearer,
    expect,
    expect_error,
    make_shop,
    order_body,
    register,
    row_counts,
)
from tests.contract._jwt import claims_for, forge, segment, unsigned

PROBE = f"/orders/{MAX_BIGINT}"  # 404 for an authenticated caller, 401 for anyone else


@dataclass(frozen=True)
class Ctx:
    pk: int
    token: str
    key: str


@pytest.fixture
def ctx(client: httpx.Client, secret_key: str) -> Ctx:
    pk, token, _ = register(client)
    return Ctx(pk, token, secret_key)


def test_issued_token_is_accepted(client: httpx.Client, ctx: Ctx) -> None:
    expect_error(client.get(PROBE, headers=bearer(ctx.token)), 404, "not_found")


def test_hand_signed_hs256_token_is_accepted(client: httpx.Client, ctx: Ctx) -> None:
    # The control for the forgeries below: the same signing code, right key and algorithm.
    token = forge(claims_for(str(ctx.pk)), key=ctx.key)
    expect_error(client.get(PROBE, headers=bearer(token)), 404, "not_found")


def _tamper_sub(c: Ctx) -> str:
    header, _, signature = c.token.split(".")
    return f"{header}.{segment(claims_for(str(c.pk + 1)))}.{signature}"


HEADERS: dict[str, Callable[[Ctx], dict[str, str]]] = {
    "missing": lambda c: {},
    "empty": lambda c: {"Authorization": ""},
    "scheme-only": lambda c: {"Authorization": "Bearer"},
    "garbage": lambda c: {"Authorization": "Bearer not-a-token"},
    "three-garbage-segments": lambda c: {"Authorization": "Bearer a.b.c"},
    "no-scheme": lambda c: {"Authorization": c.token},
    "basic-scheme": lambda c: {"Authorization": f"Basic {c.token}"},
    "token-scheme": lambda c: {"Authorization": f"Token {c.token}"},
    "trailing-junk": lambda c: {"Authorization": f"Bearer {c.token} extra"},
    "truncated-signature": lambda c: bearer(c.token[:-6]),
    "tampered-payload": lambda c: bearer(_tamper_sub(c)),
    "expired": lambda c: bearer(
        forge(
            claims_for(str(c.pk), iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
            key=c.key,
        )
    ),
    "wrong-key": lambda c: bearer(forge(claims_for(str(c.pk)), key="k" * 48)),
    "alg-none": lambda c: bearer(unsigned(claims_for(str(c.pk)))),
    "alg-None": lambda c: bearer(unsigned(claims_for(str(c.pk)), alg="None")),
    "alg-none-hs256-signature": lambda c: bearer(
        forge(claims_for(str(c.pk)), key=c.key, header_alg="none")
    ),
    "hs384-right-key": lambda c: bearer(forge(claims_for(str(c.pk)), key=c.key, alg="HS384")),
    "hs512-right-key": lambda c: bearer(forge(claims_for(str(c.pk)), key=c.key, alg="HS512")),
    "sub-missing": lambda c: bearer(forge(claims_for(None), key=c.key)),
    "sub-not-numeric": lambda c: bearer(forge(claims_for("abc"), key=c.key)),
    "sub-integer": lambda c: bearer(forge(claims_for(c.pk), key=c.key)),
    "sub-zero": lambda c: bearer(forge(claims_for("0"), key=c.key)),
    "sub-negative": lambda c: bearer(forge(claims_for("-1"), key=c.key)),
    "sub-overflow": lambda c: bearer(forge(claims_for("9" * 25), key=c.key)),
    "sub-unknown-user": lambda c: bearer(forge(claims_for(str(MAX_BIGINT)), key=c.key)),
    "exp-missing": lambda c: bearer(forge(claims_for(str(c.pk), exp=None), key=c.key)),
    "exp-string": lambda c: bearer(
        forge(claims_for(str(c.pk), exp=str(int(time.time()) + 3600)), key=c.key)
    ),
}


@pytest.mark.parametrize("case", list(HEADERS))
def test_bad_token_is_unauthorized(client: httpx.Client, ctx: Ctx, case: str) -> None:
    expect_error(client.get(PROBE, headers=HEADERS[case](ctx)), 401, "unauthorized")


def test_token_of_deleted_user_is_unauthorized(client: httpx.Client, db: Db) -> None:
    pk, token, _ = register(client)
    db.execute("DELETE FROM tb_auth_user WHERE id = %s", (pk,))
    expect_error(client.get(PROBE, headers=bearer(token)), 401, "unauthorized")


def test_token_of_inactive_user_is_unauthorized(client: httpx.Client, db: Db) -> None:
    pk, token, _ = register(client)
    db.execute("UPDATE tb_auth_user SET is_active = false WHERE id = %s", (pk,))
    expect_error(client.get(PROBE, headers=bearer(token)), 401, "unauthorized")


def test_bad_token_hides_an_owned_order(client: httpx.Client, db: Db, ctx: Ctx) -> None:
    shop = make_shop(db)
    order = expect(
        client.post(
            "/orders",
            json=order_body(shop.product_id, {shop.item_ids[0]: 1}),
            headers=bearer(ctx.token),
        ),
        201,
    )
    wrong = forge(claims_for(str(ctx.pk)), key="k" * 48)
    for headers in ({}, bearer(wrong)):
        expect_error(client.get(f"/orders/{order['pk']}", headers=headers), 401, "unauthorized")


AUTH_FIRST_BODIES: dict[str, tuple[bytes, dict[str, str]]] = {
    "invalid-json": (b"{not json", {"Content-Type": "application/json"}),
    "empty-body": (b"", {"Content-Type": "application/json"}),
    "wrong-types": (b'{"order_number": 1, "items": "x"}', {"Content-Type": "application/json"}),
    "not-json-content-type": (b"order=1", {"Content-Type": "application/x-www-form-urlencoded"}),
    "no-content-type": (b"{}", {}),
}


@pytest.mark.parametrize("case", list(AUTH_FIRST_BODIES))
@pytest.mark.parametrize("token", ["none", "expired"])
def test_authentication_is_checked_before_the_body(
    client: httpx.Client, ctx: Ctx, case: str, token: str
) -> None:
    content, headers = AUTH_FIRST_BODIES[case]
    if token == "expired":
        past = int(time.time()) - 3600
        headers = {
            **headers,
            **bearer(forge(claims_for(str(ctx.pk), iat=past - 60, exp=past), key=ctx.key)),
        }
    resp = client.post("/orders", content=content, headers=headers)
    expect_error(resp, 401, "unauthorized")


def test_unauthenticated_order_changes_nothing(client: httpx.Client, db: Db) -> None:
    shop = make_shop(db)
    before = row_counts(db)
    resp = client.post("/orders", json=order_body(shop.product_id, {shop.item_ids[0]: 1}))
    expect_error(resp, 401, "unauthorized")
    assert row_counts(db) == before
