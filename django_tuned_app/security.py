"""Passwords in Django's PBKDF2 format and HS256 JWTs, so either app accepts the other's."""

from __future__ import annotations

import time

import jwt
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from django_tuned_app.rules import parse_pk

JWT_ALGORITHM = "HS256"


class ConfiguredPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's pbkdf2_sha256, with PASSWORD_HASH_ITERATIONS for new hashes."""

    iterations = settings.PASSWORD_HASH_ITERATIONS


def password_hash(*, password: str) -> str:
    """Hash a password as pbkdf2_sha256$<iterations>$<salt>$<base64>, with a fresh salt."""
    return make_password(password)


def password_verify(*, password: str, encoded: str) -> bool:
    """Check a password against a stored hash, using the iteration count stored in it."""
    # No setter: a hash with another iteration count is never rewritten on login.
    try:
        return check_password(password, encoded)
    except ValueError:
        # Django identifies the hasher by its prefix, then fails on a malformed remainder.
        return False


def token_issue(*, user_id: int) -> str:
    """Issue a signed token whose subject is the user's pk."""
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + settings.TOKEN_LIFETIME_SECONDS}
    return jwt.encode(claims, settings.APP_SECRET_KEY, algorithm=JWT_ALGORITHM)


def token_decode(*, token: str) -> int | None:
    """Return the user pk a valid token names, or None for any invalid or expired token."""
    try:
        claims = jwt.decode(
            token,
            settings.APP_SECRET_KEY,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "iat", "exp"]},
        )
    except (jwt.InvalidTokenError, ValueError, RecursionError):
        # PyJWT parses the (unsigned) header with json.loads before checking the signature.
        return None
    # PyJWT reads exp and iat with int(), which also takes strings; RFC 7519 wants numbers.
    if not all(_is_number(claims[name]) for name in ("exp", "iat")):
        return None
    subject = claims["sub"]
    return parse_pk(subject) if isinstance(subject, str) else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
