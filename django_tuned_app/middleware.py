"""Requests refused before routing (a WSGI wrapper), and strict JSON object bodies."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, UnreadablePostError
from django.utils.http import parse_header_parameters

from django_tuned_app.errors import (
    ApiError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationError,
    error_body,
)
from django_tuned_app.rules import (
    BODY_CUT_OFF_MESSAGE,
    MALFORMED_BODY_MESSAGE,
    MAX_BODY_BYTES,
    request_refusal,
)

WsgiApp = Callable[[dict[str, Any], Any], Iterable[bytes]]


class RequestGuardMiddleware:
    """Answer 400 for an unknown method or HTTP version, 413 for a body over the limit.

    A declared Content-Length is checked up front; a chunked body is counted as it is read,
    so a body that is too large is never buffered whole.
    """

    # A WSGI wrapper rather than Django middleware: Django's request reads exactly
    # CONTENT_LENGTH bytes, so a chunked body must be measured and re-framed before the
    # request object exists. The same goes for a Content-Type whose parameters Django
    # cannot parse: it would raise while building the request, outside every error handler.

    def __init__(self, app: WsgiApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        refused = request_refusal(
            method=environ["REQUEST_METHOD"],
            http_version=environ["SERVER_PROTOCOL"].removeprefix("HTTP/"),
            # gunicorn's undecoded request target (WSGI itself has none).
            target=environ.get("RAW_URI", ""),
            path=environ.get("PATH_INFO", ""),
            transfer_encoding=environ.get("HTTP_TRANSFER_ENCODING"),
            content_length=environ.get("CONTENT_LENGTH"),
        )
        if refused is not None:
            return self._refuse(start_response, ValidationError(refused))
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
                return self._refuse(start_response, PayloadTooLargeError())
        elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            try:
                body = self._read_at_most(environ["wsgi.input"], self.max_body_bytes + 1)
            except OSError:
                # gunicorn's errors for bad chunk framing, or for a client gone mid-body.
                return self._refuse(start_response, ValidationError(MALFORMED_BODY_MESSAGE))
            if len(body) > self.max_body_bytes:
                return self._refuse(start_response, PayloadTooLargeError())
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        response = self.app(environ, start_response)
        if environ["REQUEST_METHOD"] == "HEAD":
            # gunicorn sends whatever body the app returns, even to HEAD, which has none
            # (RFC 9110 9.3.2); uvicorn drops it itself.
            return self._without_body(response)
        return response

    @staticmethod
    def _without_body(response: Iterable[bytes]) -> list[bytes]:
        close = getattr(response, "close", None)
        if close is not None:
            close()
        return []

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
    def _refuse(start_response: Any, error: ApiError) -> list[bytes]:
        payload = json.dumps(error_body(error), separators=(",", ":")).encode()
        start_response(
            f"{error.status} {HTTPStatus(error.status).phrase}",
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
        body = request.body
    except UnreadablePostError:
        # The client went away mid-body: nobody will read the answer, and a client that
        # leaves is no server error (no traceback in the log).
        raise ValidationError(BODY_CUT_OFF_MESSAGE) from None
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"Malformed JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object.")
    return data
