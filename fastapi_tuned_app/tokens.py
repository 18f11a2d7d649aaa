"""HS256 JWTs (`sub`, `iat`, `exp`) that every app issues and accepts alike.

Shared by copy: this file is byte-identical in every app folder (tests/contract/test_twins.py),
so it imports only PyJWT and its shared siblings, relatively. Each app's security.py passes
its own settings in.
"""

from __future__ import annotations

import time

import jwt

from .rules import parse_pk

JWT_ALGORITHM = "HS256"


def token_encode(*, user_id: int, secret: str, lifetime_seconds: int) -> str:
    """Return a signed token whose subject is the user's pk."""
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime_seconds}
    return jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)


def token_subject(*, token: str, secret: str) -> int | None:
    """Return the user pk a valid token names, or None for any invalid or expired token."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[JWT_ALGORITHM], options={"require": ["sub", "iat", "exp"]}
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
