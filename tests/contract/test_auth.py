"""POST /auth/register and POST /auth/login: shapes, email and password rules, hashes, tokens."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from typing import Any

import httpx
import jwt
import pytest

from tests.contract._factory import (
    MAX_BIGINT,
    PASSWORD,
    Db,
    bearer,
    expect,
    expect_error,
    is_int,
    register,
    unique_email,
)

HASH_RE = re.compile(r"pbkdf2_sha256\$([0-9]+)\$([^$]+)\$([A-Za-z0-9+/]+={0,2})")
DEFAULT_TOKEN_LIFETIME = 86400


def _domain(length: int) -> str:
    """A valid domain name of exactly `length` characters, ending in `.com`."""
    labels: list[str] = []
    left = length - len("com")
    while left > 0:
        size = min(63, left - 1)  # a label costs its size plus one dot
        assert size > 0
        labels.append("d" * size)
        left -= size + 1
    domain = ".".join([*labels, "com"])
    assert len(domain) == length
    return domain


def _local(length: int) -> str:
    return (uuid.uuid4().hex * 3)[:length]


def _auth_body(resp: httpx.Response, status: int) -> dict[str, Any]:
    body = expect(resp, status)
    assert isinstance(body, dict) and set(body) == {"token", "user"}, body
    assert isinstance(body["token"], str)
    assert isinstance(body["user"], dict) and set(body["user"]) == {"pk", "email"}, body
    assert is_int(body["user"]["pk"]) and isinstance(body["user"]["email"], str)
    return body


def _check_hash(stored: str, password: str) -> int:
    """Django's pbkdf2_sha256 format, recomputed here; returns the iteration count."""
    match = HASH_RE.fullmatch(stored)
    assert match, stored
    iterations, salt, digest = int(match[1]), match[2], match[3]
    expected = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    assert base64.b64encode(expected).decode("ascii") == digest
    return iterations


def _assert_authenticated(client: httpx.Client, token: str) -> None:
    # A missing order is 404 for an authenticated caller and 401 for anyone else.
    expect_error(client.get(f"/orders/{MAX_BIGINT}", headers=bearer(token)), 404, "not_found")


# --- register --------------------------------------------------------------------------


def test_register_creates_user_and_returns_token(
    client: httpx.Client, db: Db, secret_key: str
) -> None:
    email = f"New.User+Tag-{uuid.uuid4().hex}@Example.COM"
    body = _auth_body(
        client.post("/auth/register", json={"email": email, "password": PASSWORD}), 201
    )
    pk = body["user"]["pk"]
    assert body["user"]["email"] == email.lower()

    row = db.execute(
        "SELECT email, password, is_active FROM tb_auth_user WHERE id = %s", (pk,)
    ).fetchone()
    assert row is not None
    assert row[0] == email.lower()
    assert row[2] is True
    _check_hash(row[1], PASSWORD)

    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"
    claims = jwt.decode(body["token"], secret_key, algorithms=["HS256"])
    assert claims["sub"] == str(pk)
    assert is_int(claims["iat"]) and is_int(claims["exp"])
    assert claims["exp"] - claims["iat"] == DEFAULT_TOKEN_LIFETIME
    _assert_authenticated(client, body["token"])


def test_register_ignores_unknown_fields(client: httpx.Client) -> None:
    body = {"email": unique_email(), "password": PASSWORD, "is_active": False, "pk": 1}
    _auth_body(client.post("/auth/register", json=body), 201)


def _valid_emails() -> list[str]:
    tag = uuid.uuid4().hex
    return [
        f"first.last+{tag}@sub.example.co.uk",
        f"{tag}!#$%&'*+/=?^_`{{|}}~-@example.com",
        f"x-{tag}@a-b.example.io",
        f"{_local(64)}@example.com",
        f"{_local(64)}@{_domain(200 - 65)}",
        f"{tag}@{'l' * 63}.example.com",
        f"{tag}@example.{'t' * 63}",
    ]


def test_register_accepts_valid_emails(client: httpx.Client) -> None:
    for email in _valid_emails():
        resp = client.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert _auth_body(resp, 201)["user"]["email"] == email.lower()


INVALID_EMAILS = [
    "",
    "plain",
    "@example.com",
    "user@",
    "user@example",
    "user@example.c",
    "user@example.c0m",
    ".user@example.com",
    "user.@example.com",
    "us..er@example.com",
    "us er@example.com",
    " user@example.com",
    "user@example.com ",
    "user@example.com\n",
    "user@-example.com",
    "user@example-.com",
    "user@exa_mple.com",
    "user@@example.com",
    "user@example..com",
    "user@.example.com",
    "us\u00e9r@example.com",
    "user@ex\u00e4mple.com",
    "user@" + "l" * 64 + ".com",
    "u" * 65 + "@example.com",
    "u" * 64 + "@" + _domain(201 - 65),
    "user\x00@example.com",
]


@pytest.mark.parametrize("email", INVALID_EMAILS)
def test_register_rejects_invalid_email(client: httpx.Client, email: str) -> None:
    resp = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    expect_error(resp, 400, "validation_error")


@pytest.mark.parametrize(
    "password",
    [
        "x" * 8,
        "x" * 128,
        "\u00e9" * 8,
        "\u00e9" * 128,
        "\U0001f600" * 8,
        " pass\tword ",
        "pass\x00word",
    ],
    ids=["8", "128", "8-accented", "128-accented", "8-emoji", "whitespace", "nul"],
)
def test_register_accepts_password_lengths(client: httpx.Client, password: str) -> None:
    email = unique_email()
    resp = client.post("/auth/register", json={"email": email, "password": password})
    _auth_body(resp, 201)
    login = client.post("/auth/login", json={"email": email, "password": password})
    _auth_body(login, 200)


@pytest.mark.parametrize(
    "password",
    ["", "x" * 7, "x" * 129, "\u00e9" * 4, "\u00e9" * 129, "\U0001f600" * 4],
    ids=["empty", "7", "129", "4-accented-8-bytes", "129-accented", "4-emoji-16-bytes"],
)
def test_register_rejects_password_lengths(client: httpx.Client, password: str) -> None:
    resp = client.post("/auth/register", json={"email": unique_email(), "password": password})
    expect_error(resp, 400, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "ok@example.com"},
        {"password": PASSWORD},
        {"email": None, "password": PASSWORD},
        {"email": 123, "password": PASSWORD},
        {"email": ["a@example.com"], "password": PASSWORD},
        {"email": {"address": "a@example.com"}, "password": PASSWORD},
        {"email": "ok@example.com", "password": None},
        {"email": "ok@example.com", "password": 12345678},
        {"email": "ok@example.com", "password": True},
        {"email": "ok@example.com", "password": ["x" * 8]},
    ],
)
def test_register_rejects_wrong_shapes(client: httpx.Client, body: dict[str, Any]) -> None:
    expect_error(client.post("/auth/register", json=body), 400, "validation_error")


def test_register_email_taken_case_insensitively(client: httpx.Client, db: Db) -> None:
    tag = uuid.uuid4().hex
    pk, _, email = register(client, email=f"taken-{tag}@example.com")
    for variant in (email, email.upper(), f"Taken-{tag}@EXAMPLE.com"):
        resp = client.post("/auth/register", json={"email": variant, "password": "other-pass"})
        expect_error(resp, 409, "email_taken")
    rows = db.execute(
        "SELECT id FROM tb_auth_user WHERE lower(email) = %s", (email.lower(),)
    ).fetchall()
    assert rows == [(pk,)]


# --- login -----------------------------------------------------------------------------


def test_login_returns_token_for_the_user(client: httpx.Client, secret_key: str) -> None:
    pk, _, email = register(client)
    body = _auth_body(client.post("/auth/login", json={"email": email, "password": PASSWORD}), 200)
    assert body["user"] == {"pk": pk, "email": email}
    claims = jwt.decode(body["token"], secret_key, algorithms=["HS256"])
    assert claims["sub"] == str(pk)
    assert claims["exp"] - claims["iat"] == DEFAULT_TOKEN_LIFETIME
    _assert_authenticated(client, body["token"])


def test_login_ignores_unknown_fields(client: httpx.Client) -> None:
    pk, _, email = register(client)
    body = {"email": email, "password": PASSWORD, "remember": True, "pk": pk + 1}
    assert _auth_body(client.post("/auth/login", json=body), 200)["user"]["pk"] == pk


def test_login_email_is_case_insensitive(client: httpx.Client) -> None:
    pk, _, email = register(client)
    body = _auth_body(
        client.post("/auth/login", json={"email": email.upper(), "password": PASSWORD}), 200
    )
    assert body["user"] == {"pk": pk, "email": email}


def test_login_seeded_user(client: httpx.Client) -> None:
    body = _auth_body(
        client.post(
            "/auth/login", json={"email": "bench-1@example.com", "password": "bench-password"}
        ),
        200,
    )
    assert body["user"]["email"] == "bench-1@example.com"


def test_login_verifies_with_the_stored_iteration_count(client: httpx.Client, db: Db) -> None:
    email, salt, iterations = unique_email(), "contractsalt0123", 1234
    digest = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt.encode(), iterations)
    stored = f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"
    row = db.execute(
        "INSERT INTO tb_auth_user (email, password) VALUES (%s, %s) RETURNING id", (email, stored)
    ).fetchone()
    assert row is not None
    body = _auth_body(client.post("/auth/login", json={"email": email, "password": PASSWORD}), 200)
    assert body["user"] == {"pk": row[0], "email": email}


def test_new_hashes_use_one_iteration_count(client: httpx.Client, db: Db) -> None:
    pk_a, _, _ = register(client)
    pk_b, _, _ = register(client)
    rows = db.execute(
        "SELECT password FROM tb_auth_user WHERE id = ANY(%s)", ([pk_a, pk_b],)
    ).fetchall()
    hashes = [r[0] for r in rows]
    assert len({_check_hash(h, PASSWORD) for h in hashes}) == 1
    assert hashes[0].split("$")[2] != hashes[1].split("$")[2], "salts must differ"


def test_unknown_email_and_wrong_password_look_the_same(client: httpx.Client) -> None:
    _, _, email = register(client)
    wrong = client.post("/auth/login", json={"email": email, "password": PASSWORD + "x"})
    unknown = client.post("/auth/login", json={"email": unique_email(), "password": PASSWORD})
    case = client.post("/auth/login", json={"email": email, "password": PASSWORD.upper()})
    bodies = [expect_error(r, 401, "invalid_credentials") for r in (wrong, unknown, case)]
    assert bodies[0] == bodies[1] == bodies[2]


def test_inactive_user_cannot_log_in(client: httpx.Client, db: Db) -> None:
    pk, _, email = register(client)
    db.execute("UPDATE tb_auth_user SET is_active = false WHERE id = %s", (pk,))
    resp = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    expect_error(resp, 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "bench-1@example.com"},
        {"password": "bench-password"},
        {"email": None, "password": "bench-password"},
        {"email": 1, "password": "bench-password"},
        {"email": "bench-1@example.com", "password": None},
        {"email": "bench-1@example.com", "password": 12345678},
        {"email": ["bench-1@example.com"], "password": "bench-password"},
    ],
)
def test_login_with_invalid_body_is_a_validation_error(
    client: httpx.Client, body: dict[str, Any]
) -> None:
    expect_error(client.post("/auth/login", json=body), 400, "validation_error")
