"""Passwords in Django's PBKDF2 format and HS256 JWTs, so either app accepts the other's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

from floor_app.rules import parse_pk
from floor_app.settings import get_settings
from floor_app.tokens import token_encode, token_subject

ALGORITHM = "pbkdf2_sha256"
SALT_CHARS = string.ascii_letters + string.digits
SALT_LENGTH = 22


def _pbkdf2(password: str, salt: str, iterations: int) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return base64.b64encode(digest).decode("ascii")


def password_hash(*, password: str) -> str:
    """Hash a password as pbkdf2_sha256$<iterations>$<salt>$<base64>, with a fresh salt."""
    iterations = get_settings().password_hash_iterations
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(SALT_LENGTH))
    return f"{ALGORITHM}${iterations}${salt}${_pbkdf2(password, salt, iterations)}"


def password_verify(*, password: str, encoded: str) -> bool:
    """Check a password against a stored hash; a failed check costs the configured rounds."""
    algorithm, _, rest = encoded.partition("$")
    iterations, _, rest = rest.partition("$")
    salt, _, expected = rest.partition("$")
    rounds = parse_pk(iterations)
    if algorithm != ALGORITHM or not salt or not expected or rounds is None:
        password_hash(password=password)
        return False
    if hmac.compare_digest(_pbkdf2(password, salt, rounds).encode(), expected.encode()):
        return True
    # Pad a failed check up to the configured count, as Django's harden_runtime does: a
    # wrong password costs what an unknown email does (services.user_login hashes for those).
    missing = get_settings().password_hash_iterations - rounds
    if missing > 0:
        _pbkdf2(password, salt, missing)
    return False


def token_issue(*, user_id: int) -> str:
    """Issue a signed token whose subject is the user's pk."""
    settings = get_settings()
    return token_encode(
        user_id=user_id,
        secret=settings.app_secret_key,
        lifetime_seconds=settings.token_lifetime_seconds,
    )


def token_decode(*, token: str) -> int | None:
    """Return the user pk a valid token names, or None for any invalid or expired token."""
    return token_subject(token=token, secret=get_settings().app_secret_key)
