"""gunicorn's own error answers, as written to a real socket, are the JSON envelope."""

from __future__ import annotations

import json
import socket

import pytest

from django_app.server import write_error


def _written(status_int: int, reason: str) -> tuple[str, dict[str, str], dict[str, object]]:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        write_error(ours, status_int, reason, "<b>gunicorn's own text</b>")
        ours.shutdown(socket.SHUT_WR)
        raw = b"".join(iter(lambda: theirs.recv(65536), b""))
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("ascii").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    assert headers["content-length"] == str(len(body))
    return status_line, headers, json.loads(body)


@pytest.mark.parametrize(
    ("status_int", "reason"),
    [(400, "Bad Request"), (431, "Request Header Fields Too Large"), (501, "Not Implemented")],
)
def test_malformed_requests_are_a_400_validation_error(status_int: int, reason: str) -> None:
    status_line, headers, body = _written(status_int, reason)
    assert status_line == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert body == {"error": {"code": "validation_error", "message": "Malformed HTTP request."}}


def test_a_server_failure_stays_a_500() -> None:
    status_line, _, body = _written(500, "Internal Server Error")
    assert status_line == "HTTP/1.1 500 Internal Server Error"
    assert body["error"] == {"code": "internal_error", "message": "Internal server error."}
