"""The document Django serves is the repository's file, refused at import when it is not JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from django_app.views import OPENAPI_DOCUMENT, OPENAPI_PATH, openapi_read


def test_served_bytes_are_the_file() -> None:
    assert OPENAPI_PATH.read_bytes() == OPENAPI_DOCUMENT


def test_a_document_that_is_not_json_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.json"
    broken.write_text('{"openapi": ')
    with pytest.raises(ValueError):
        openapi_read(broken)
