"""Passwords in Django's PBKDF2 format and HS256 JWTs, so either app accepts the other's."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from django_tuned_app.tokens import token_encode, token_subject


class ConfiguredPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's pbkdf2_sha256, with PASSWORD_HASH_ITERATIONS for new hashes."""

    iterations = settings.PASSWORD_HASH_ITERATIONS


def password_hash(*, password: str) -> str:
    """Hash a password as pbkdf2_sha256$<iterations>$<salt>$<base64>, with a fresh salt."""
    return make_password(password)


def password_verify(*, password: str, encoded: str) -> bool:
    """Check a password against a stored hash; a failed check costs the configured rounds."""
    # check_password verifies with the hash's own iteration count, then pads a failed check
    # up to the configured count (PBKDF2PasswordHasher.harden_runtime): a wrong password
    # costs what an unknown email does (services.user_login hashes for those).
    # No setter: a hash with another iteration count is never rewritten on login.
    try:
        return check_password(password, encoded)
    except ValueError:
        # Django identifies the hasher by its prefix, then fails on a malformed remainder.
        password_hash(password=password)
        return False


def token_issue(*, user_id: int) -> str:
    """Issue a signed token whose subject is the user's pk."""
    return token_encode(
        user_id=user_id,
        secret=settings.APP_SECRET_KEY,
        lifetime_seconds=settings.TOKEN_LIFETIME_SECONDS,
    )


def token_decode(*, token: str) -> int | None:
    """Return the user pk a valid token names, or None for any invalid or expired token."""
    return token_subject(token=token, secret=settings.APP_SECRET_KEY)
