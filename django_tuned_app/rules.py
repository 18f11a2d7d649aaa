"""The contract's input rules and limits, in one place for every app.

Shared by copy: this file is byte-identical in every app folder (tests/contract/test_twins.py),
so it imports only the standard library and its shared siblings, relatively.
"""

from __future__ import annotations

import re

from .errors import ValidationError

MAX_BIGINT = 2**63 - 1
# Request bodies larger than this are refused (413) without being read whole.
MAX_BODY_BYTES = 65536

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
QUANTITY_MIN = 1
QUANTITY_MAX = 1000
ORDER_ITEMS_MIN = 1
ORDER_ITEMS_MAX = 20
PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100
ORDER_STATUS_COMPLETED = "COMPLETED"
# How long an app waits for any one answer from the database beyond statement_timeout, which
# only a running server enforces: past it, a server that stopped answering (SIGSTOP, a
# frozen host) gets the request a 503 instead of a hang.
DB_ANSWER_MARGIN_SECONDS = 1.0

# Methods of RFC 9110 plus PATCH: on an API path that does not allow them, 405; any other
# token is not a method this API knows, so the request is malformed (400), whichever layer
# (Nginx, the app server, the app) sees it first.
HTTP_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
)
HTTP_VERSIONS = frozenset(("1.0", "1.1"))

EMAIL_MESSAGE = "Enter a valid email address."
ORDER_NUMBER_MESSAGE = "Use 1 to 100 characters from A-Z, a-z, 0-9, '_' and '-'."
UNIQUE_ITEMS_MESSAGE = "Each item_id may appear only once."
BODY_CUT_OFF_MESSAGE = "The request body ended before its declared length."
MALFORMED_REQUEST_MESSAGE = "Malformed HTTP request."
MALFORMED_BODY_MESSAGE = "Malformed chunked request body."
LIMIT_MESSAGE = f"Must be a whole number from 1 to {PAGE_LIMIT_MAX}."
OFFSET_MESSAGE = f"Must be a whole number from 0 to {MAX_BIGINT}."

# \A and \Z (not ^ and $) so the patterns stay exact under search(), match() and fullmatch():
# "$" would also accept a trailing newline.
PK_RE = re.compile(r"\A[1-9][0-9]{0,18}\Z")
QUERY_INT_RE = re.compile(r"\A[0-9]{1,19}\Z")
ORDER_NUMBER_RE = re.compile(r"\A[A-Za-z0-9_-]{1,100}\Z")
EMAIL_RE = re.compile(
    r"""
    \A
    (?=.{1,200}\Z)        # at most 200 characters in all
    (?=[^@]{1,64}@)       # a local part of at most 64 characters
    (?!\.)                # local part: no leading dot,
    (?![^@]*\.\.)         #   no double dot,
    (?![^@]*\.@)          #   no trailing dot
    [A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+
    @
    (?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+
    [A-Za-z]{2,63}
    \Z
    """,
    re.VERBOSE,
)


def parse_pk(raw: str) -> int | None:
    """Return a path id as an int, or None unless it is a positive signed 64-bit integer."""
    if PK_RE.match(raw) is None:
        return None
    value = int(raw)
    return value if value <= MAX_BIGINT else None


def parse_query_int(raw: str | None, *, default: int, minimum: int, maximum: int) -> int | None:
    """Return a query-string integer (default when absent), or None unless digits within bounds."""
    if raw is None:
        return default
    if QUERY_INT_RE.match(raw) is None:
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def parse_page(*, limit: str | None, offset: str | None) -> tuple[int, int]:
    """Return (limit, offset) from the query string; ValidationError names each bad one."""
    limit_value = parse_query_int(
        limit, default=PAGE_LIMIT_DEFAULT, minimum=1, maximum=PAGE_LIMIT_MAX
    )
    offset_value = parse_query_int(offset, default=0, minimum=0, maximum=MAX_BIGINT)
    if limit_value is None or offset_value is None:
        fields = {}
        if limit_value is None:
            fields["limit"] = LIMIT_MESSAGE
        if offset_value is None:
            fields["offset"] = OFFSET_MESSAGE
        raise ValidationError(fields=fields)
    return limit_value, offset_value


def db_answer_limit(*, statement_timeout_ms: int) -> float:
    """Seconds an app waits for one answer from the database before giving up (503)."""
    return statement_timeout_ms / 1000 + DB_ANSWER_MARGIN_SECONDS


def request_refusal(
    *,
    method: str,
    http_version: str,
    target: str,
    path: str,
    transfer_encoding: str | None,
    content_length: str | None,
) -> str | None:
    """Return why a request is refused before routing, or None; every app checks the same."""
    if method not in HTTP_METHODS:
        return f"Unknown method {method[:20]!r}."
    if http_version not in HTTP_VERSIONS:
        return "Only HTTP/1.0 and HTTP/1.1 are served."
    if not target.isascii():
        # RFC 3986: anything else in a target is percent-encoded; servers differ on raw bytes.
        return "The request target must be ASCII; percent-encode the rest."
    if not (path.startswith("/") or path == "*"):
        # An authority-form target ("host:port") is only for CONNECT, which no path serves.
        return "The request target must be a path."
    if transfer_encoding is not None and http_version == "1.0":
        # RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
        return "Transfer-Encoding is not allowed in HTTP/1.0."
    if (
        content_length is not None
        and content_length.isascii()
        and content_length.isdigit()
        and int(content_length) > MAX_BIGINT
    ):
        return "Content-Length is out of range."
    return None
