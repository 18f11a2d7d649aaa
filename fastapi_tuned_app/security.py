"""Passwords in Django's PBKDF2 format and HS256 JWTs, so either app accepts the other's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import time

import jwt

from fastapi_tuned_app.rules import parse_pk
from fastapi_tuned_app.settings import get_settings

ALGORITHM = "pbkdf2_sha256"
SALT_CHARS = string.ascii_letters + string.digits
SALT_LENGTH = 22
JWT_ALGORITHM = "HS256"


def _pbkdf2(password: str, salt: str, iterations: int) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return base64.b64encode(digest).decode("ascii")


def password_hash(*, password: str) -> str:
    """Hash a password as pbkdf2_sha256$<iterations>$<salt>$<base64>, with a fresh salt."""
    iterations = get_settings().password_hash_iterations
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(SALT_LENGTH))
    return f"{ALGORITHM}${iterations}${salt}${_pbkdf2(password, salt, iterations)}"


def password_verify(*, password: str, encoded: str) -> bool:
    """Check a password against a stored hash, using the iteration count stored in it."""
    algorithm, _, rest = encoded.partition("$")
    iterations, _, rest = rest.partition("$")
    salt, _, expected = rest.partition("$")
    if algorithm != ALGORITHM or not salt or not expected or parse_pk(iterations) is None:
        return False
    actual = _pbkdf2(password, salt, int(iterations))
    return hmac.compare_digest(actual.encode(), expected.encode())


def token_issue(*, user_id: int) -> str:
    """Issue a signed token whose subject is the user's pk."""
    settings = get_settings()
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + settings.token_lifetime_seconds}
    return jwt.encode(claims, settings.app_secret_key, algorithm=JWT_ALGORITHM)


def token_decode(*, token: str) -> int | None:
    """Return the user pk a valid token names, or None for any invalid or expired token."""
    try:
        claims = jwt.decode(
            token,
            get_settings().app_secret_key,
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
