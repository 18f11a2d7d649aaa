"""Input rules shared by both apps: path ids, query integers, email and order number shapes."""

from __future__ import annotations

import re

MAX_BIGINT = 2**63 - 1

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
