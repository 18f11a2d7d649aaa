"""The one exception type the harness raises for bad input, so CLIs can print it in one line."""

from __future__ import annotations


class HarnessError(Exception):
    """Input the harness cannot use: a malformed file, a missing key, a refused comparison."""
