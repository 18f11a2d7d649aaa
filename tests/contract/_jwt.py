"""Hand-made JWTs: any header, algorithm or claims a client might send."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def forge(
    claims: dict[str, Any], *, key: str, alg: str = "HS256", header_alg: str | None = None
) -> str:
    """A JWT signed by hand, so headers and algorithms can be anything a client might send."""
    signing_input = f"{segment({'alg': header_alg or alg, 'typ': 'JWT'})}.{segment(claims)}"
    signature = hmac.new(key.encode(), signing_input.encode(), DIGESTS[alg]).digest()
    return f"{signing_input}.{b64url(signature)}"


def unsigned(claims: dict[str, Any], alg: str = "none") -> str:
    return f"{segment({'alg': alg, 'typ': 'JWT'})}.{segment(claims)}."


def claims_for(sub: Any, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "iat": now, "exp": now + 3600}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}
