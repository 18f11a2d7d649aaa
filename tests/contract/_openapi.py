"""The repository's OpenAPI document as the tests read it: operations and response validation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

import httpx
import schemathesis
from schemathesis.specs.openapi.schemas import OpenApiSchema

from infra.appservers import REPO

DOCUMENT = REPO / "docs" / "openapi.json"


@dataclass(frozen=True)
class Operation:
    """One method on one path of the document, with the statuses it documents."""

    path: str
    method: str
    statuses: frozenset[str]
    protected: bool

    def matches(self, method: str, path: str) -> bool:
        """Whether a concrete request (`GET /products/7`) is this operation."""
        template = re.sub(r"\{[^}]+\}", "[^/]+", self.path)
        return method == self.method and re.fullmatch(template, path) is not None


def operations() -> list[Operation]:
    """Every operation of the document, in document order."""
    document = json.loads(DOCUMENT.read_bytes())
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            found.append(
                Operation(
                    path=path,
                    method=method.upper(),
                    statuses=frozenset(operation["responses"]),
                    protected=bool(operation.get("security")),
                )
            )
    return found


@cache
def _schema() -> OpenApiSchema:
    return schemathesis.openapi.from_path(DOCUMENT)


def assert_documented(op: Operation, resp: httpx.Response) -> None:
    """The status is documented for the operation and the response matches its description."""
    assert str(resp.status_code) in op.statuses, (op, resp.status_code, resp.text)
    _schema()[op.path][op.method].validate_response(resp)
