"""uvicorn's own answers (to requests it cannot parse) in the API's JSON envelope."""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from floor_app.errors import ValidationError, error_body
from floor_app.rules import MALFORMED_REQUEST_MESSAGE


class JsonErrorsHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (`--http floor_app.server:JsonErrorsHttpToolsProtocol`).

    httptools refuses what it cannot parse (a method it does not know, bad framing, a
    transfer coding other than chunked) before the app runs; uvicorn would answer in
    plain text.
    """

    def send_400_response(self, msg: str) -> None:
        error = ValidationError(MALFORMED_REQUEST_MESSAGE)
        body = json.dumps(error_body(error), separators=(",", ":")).encode()
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: %d\r\n" % len(body),
                b"connection: close\r\n\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
