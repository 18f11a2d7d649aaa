"""Request body limit as a WSGI wrapper, and reading a strict JSON object from a request."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.http import parse_header_parameters

from django_tuned_app.errors import (
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
    error_body,
)

MAX_BODY_BYTES = 65536

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class BodyLimitMiddleware:
    """Answer 413 for a declared Content-Length over the limit; count chunked bodies as read."""

    # A WSGI wrapper rather than Django middleware: Django's request reads exactly
    # CONTENT_LENGTH bytes, so a chunked body must be measured and re-framed before the
    # request object exists. The same goes for a Content-Type whose parameters Django
    # cannot parse: it would raise while building the request, outside every error handler.

    def __init__(self, app: WsgiApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        content_type = environ.get("CONTENT_TYPE", "")
        if ";" in content_type:
            try:
                parse_header_parameters(content_type)
            except ValueError:
                # Parameters are ignored anyway: bodies are always UTF-8 JSON.
                environ["CONTENT_TYPE"] = content_type.partition(";")[0]
        declared = environ.get("CONTENT_LENGTH")
        if declared:
            if declared.isascii() and declared.isdigit() and int(declared) > self.max_body_bytes:
                return self._too_large(start_response)
        elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = self._read_at_most(environ["wsgi.input"], self.max_body_bytes + 1)
            if len(body) > self.max_body_bytes:
                return self._too_large(start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    @staticmethod
    def _read_at_most(stream: Any, limit: int) -> bytes:
        # readline(n) asks the server for at most n bytes; gunicorn's read(n) fills 1 KiB
        # blocks, so it would wait for bytes past the limit that a client may never send.
        body = bytearray()
        while len(body) < limit:
            piece = stream.readline(limit - len(body))
            if not piece:
                break
            body += piece
        return bytes(body)

    @staticmethod
    def _too_large(start_response: Any) -> list[bytes]:
        error = PayloadTooLargeError()
        payload = json.dumps(error_body(error), separators=(",", ":")).encode()
        start_response(
            "413 Payload Too Large",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(request: HttpRequest) -> dict[str, Any]:
    """Read an application/json body that is a JSON object; NaN, bad bytes, deep nesting: 400."""
    if request.content_type != "application/json":
        raise UnsupportedMediaTypeError()
    try:
        data = json.loads(request.body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"Malformed JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.")
    return data
