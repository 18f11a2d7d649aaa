"""The input rules are one source shared by both apps; tests/fastapi_app/test_rules.py covers it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_rules_are_the_same_source_in_both_apps() -> None:
    django_rules = (REPO / "django_app" / "rules.py").read_text()
    fastapi_rules = (REPO / "fastapi_app" / "rules.py").read_text()
    assert django_rules == fastapi_rules
