"""FastAPI's OpenAPI hook answers the contract's document, not one generated from the routes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fastapi_app.routes import OPENAPI_PATH, openapi_read
from fastapi_app.settings import get_settings


def test_app_openapi_is_the_contract_document() -> None:
    from fastapi_app.main import create_app

    app = create_app(get_settings())
    assert app.openapi() == json.loads(OPENAPI_PATH.read_bytes())
    # FastAPI's own document and pages stay off: the app serves the file itself.
    assert app.openapi_url is None and app.docs_url is None and app.redoc_url is None


def test_a_document_that_is_not_json_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.json"
    broken.write_text('{"openapi": ')
    with pytest.raises(ValueError):
        openapi_read(broken)
