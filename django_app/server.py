"""gunicorn's own answers (to requests it cannot parse) in the API's JSON envelope."""

from __future__ import annotations

import json
import socket
from http import HTTPStatus

from django_app.errors import ApiError, InternalError, ValidationError, error_body
from django_app.rules import MALFORMED_REQUEST_MESSAGE


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Stand in for gunicorn.util.write_error, which writes an HTML page.

    gunicorn's 4xx and 501 all mean a malformed request, and client input never gets a 5xx
    (API.md): every one is a 400 `validation_error`, as Nginx answers them; 500 stays 500.
    """
    error: ApiError = (
        InternalError() if status_int == 500 else ValidationError(MALFORMED_REQUEST_MESSAGE)
    )
    body = json.dumps(error_body(error), separators=(",", ":")).encode()
    head = (
        f"HTTP/1.1 {error.status} {HTTPStatus(error.status).phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    # Like gunicorn's own writer: never wait on a client that does not read.
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.sendall(head.encode("ascii") + body)
    finally:
        sock.settimeout(timeout)
