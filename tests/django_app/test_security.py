"""Passwords through Django's own hasher, and HS256 tokens that fastapi_app accepts too."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from django_app.security import password_hash, password_verify, token_decode, token_issue
from infra.seed import django_pbkdf2_hash

from .conftest import SECRET_KEY


def test_password_hash_has_djangos_layout_and_configured_iterations() -> None:
    algorithm, iterations, salt, digest = password_hash(password="correct horse").split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "1000")
    assert len(salt) == 22 and salt.isalnum() and salt.isascii()
    assert len(base64.b64decode(digest, validate=True)) == 32


def test_password_hash_salts_every_hash() -> None:
    assert password_hash(password="same") != password_hash(password="same")


def test_password_verify_uses_the_iteration_count_stored_in_the_hash() -> None:
    hasher = PBKDF2PasswordHasher()
    encoded = hasher.encode("pässwörd 1", hasher.salt(), iterations=1234)
    assert password_verify(password="pässwörd 1", encoded=encoded)
    assert not password_verify(password="pässwörd 2", encoded=encoded)


def test_password_verify_accepts_the_seeds_hashes() -> None:
    encoded = django_pbkdf2_hash("bench-password", iterations=2000)
    assert password_verify(password="bench-password", encoded=encoded)


@pytest.mark.parametrize(
    "encoded",
    ["", "pbkdf2_sha256", "md5$1000$salt$abc", "pbkdf2_sha256$x$salt$abc", "!unusable"],
)
def test_password_verify_rejects_malformed_hashes(encoded: str) -> None:
    assert not password_verify(password="anything", encoded=encoded)


def test_token_round_trip_names_the_user() -> None:
    token = token_issue(user_id=42)
    claims = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == "42"
    assert claims["exp"] - claims["iat"] == 86400
    assert token_decode(token=token) == 42


def _signed(claims: dict[str, object], key: str = SECRET_KEY, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _unsigned_header(header: str) -> str:
    encoded = base64.urlsafe_b64encode(header.encode()).rstrip(b"=").decode()
    return f"{encoded}.e30.c2ln"


NOW = int(time.time())


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "a.b.c",
        _signed({"sub": "1", "iat": NOW, "exp": NOW - 10}),
        _signed({"sub": "1", "iat": NOW, "exp": NOW + 60}, key=SECRET_KEY + "-other"),
        _signed({"sub": "1", "iat": NOW, "exp": NOW + 60}, key=SECRET_KEY * 2, algorithm="HS512"),
        jwt.encode({"sub": "1", "iat": NOW, "exp": NOW + 60}, None, algorithm="none"),
        _signed({"sub": "1", "exp": NOW + 60}),
        _signed({"sub": "1", "iat": NOW}),
        _signed({"sub": "1", "iat": NOW, "exp": str(NOW + 60)}),
        _signed({"sub": "1", "iat": str(NOW), "exp": NOW + 60}),
        _signed({"sub": "1", "iat": NOW, "exp": True}),
        _signed({"sub": 1, "iat": NOW, "exp": NOW + 60}),
        _signed({"iat": NOW, "exp": NOW + 60}),
        _signed({"sub": "007", "iat": NOW, "exp": NOW + 60}),
        _signed({"sub": "0", "iat": NOW, "exp": NOW + 60}),
        _signed({"sub": str(2**63), "iat": NOW, "exp": NOW + 60}),
        _unsigned_header("[" * 100_000),
        _unsigned_header(json.dumps({"alg": "HS256", "kid": 5})),
    ],
)
def test_token_decode_rejects_invalid_tokens(token: str) -> None:
    assert token_decode(token=token) is None
