"""The OpenAPI document: valid, complete for the contract, and served byte for byte by every app."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis

from infra.nginx import NginxConfig
from tests.contract._factory import AppServer, describe, media_type, url_of
from tests.contract._openapi import DOCUMENT, operations

# API.md's statuses per operation, beyond those every operation has (405 for other methods,
# 503 when the database or the app cannot be reached).
CONTRACT_STATUSES = {
    ("GET", "/health"): {"200"},
    ("GET", "/openapi.json"): {"200"},
    ("POST", "/auth/register"): {"201", "409"},
    ("POST", "/auth/login"): {"200", "401"},
    ("GET", "/products"): {"200", "400"},
    ("GET", "/products/{pk}"): {"200", "404"},
    ("POST", "/orders"): {"200", "201", "401", "409"},
    ("GET", "/orders/{pk}"): {"200", "401", "404"},
}
# Every JSON body can be malformed, too large or of another media type.
BODY_STATUSES = {"400", "413", "415"}
PROTECTED = {("POST", "/orders"), ("GET", "/orders/{pk}")}


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DOCUMENT.read_bytes())
    return document


def test_document_is_valid_openapi_3_1() -> None:
    schema = schemathesis.openapi.from_path(DOCUMENT)
    schema.validate()
    assert _document()["openapi"].startswith("3.1.")


def test_every_operation_documents_the_contract_statuses() -> None:
    found = {(op.method, op.path): op for op in operations()}
    assert set(found) == set(CONTRACT_STATUSES)
    for key, op in found.items():
        expected = CONTRACT_STATUSES[key] | {"405", "503"}
        if op.method == "POST":
            expected |= BODY_STATUSES
        assert op.statuses == expected, key
        assert op.protected == (key in PROTECTED), key


def test_every_error_response_is_the_envelope_with_its_code() -> None:
    document = _document()
    resolver = _Resolver(document)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                schema = resolver(resolver(response)["content"]["application/json"]["schema"])
                parts = [resolver(part) for part in schema["allOf"]]
                assert parts[0] is resolver({"$ref": "#/components/schemas/Error"}), (path, status)
                code = parts[1]["properties"]["error"]["properties"]["code"]
                assert code.get("const") or code.get("enum"), (path, method, status)


class _Resolver:
    """Follows local `$ref`s of the document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def __call__(self, node: Mapping[str, Any]) -> Any:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node


def test_nginx_map_knows_every_documented_path(tmp_path: Path) -> None:
    config = NginxConfig(listen_port=1, app_port=2, run_dir=tmp_path).render()
    block = re.search(r"map \$uri \$api_allow \{(.*?)\}", config, re.DOTALL)
    assert block is not None
    entries: list[tuple[str, str]] = re.findall(
        r'^\s*"([^"]+)" "([A-Z, ]+)";', block.group(1), re.MULTILINE
    )
    documented = {(op.path.replace("{pk}", "1"), op.method) for op in operations()}

    def allowed(uri: str) -> str | None:
        for key, methods in entries:
            if key == uri or (key.startswith("~") and re.search(key[1:], uri)):
                return methods
        return None

    assert {(uri, allowed(uri)) for uri, _ in documented} == documented
    assert len(entries) == len(documented)


@pytest.mark.parametrize("via", ["nginx", "direct"])
def test_app_serves_the_document_byte_for_byte(app: AppServer, via: str) -> None:
    resp = httpx.get(f"{url_of(app, via)}/openapi.json", timeout=10)
    assert resp.status_code == 200, describe(resp)
    assert media_type(resp) == "application/json", describe(resp)
    assert resp.content == DOCUMENT.read_bytes(), describe(resp)


def test_every_app_answers_the_same_document(apps: Mapping[str, AppServer]) -> None:
    served = {name: httpx.get(f"{a.base_url}/openapi.json", timeout=10) for name, a in apps.items()}
    assert {resp.content for resp in served.values()} == {DOCUMENT.read_bytes()}
    assert {resp.headers["content-type"] for resp in served.values()} == {"application/json"}
