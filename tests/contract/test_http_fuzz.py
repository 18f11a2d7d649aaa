"""Malformed request lines, methods, headers and encodings, sent as raw bytes.

Whoever answers (Nginx, gunicorn or uvicorn before the app, or the app), the answer is the
JSON error envelope with a 4xx status, never HTML, plain text or a 5xx, and every app gets the
same status and code for the same bytes: through Nginx, and straight to the app server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from infra.appservers import APP_SPECS
from tests.contract._factory import assert_envelope, url_of
from tests.contract._raw import RawReply, send_raw
from tests.contract.conftest import AppUnderTest


def request(line: str | bytes, *headers: str | bytes, body: bytes = b"") -> bytes:
    """A request with Host and Connection: close unless `headers` starts without them."""
    raw = [line if isinstance(line, bytes) else line.encode("latin-1")]
    raw += [h if isinstance(h, bytes) else h.encode("latin-1") for h in headers]
    return b"\r\n".join(raw) + b"\r\n\r\n" + body


HOST = "Host: 127.0.0.1"
CLOSE = "Connection: close"
JSON = "Content-Type: application/json"
LOGIN = b'{"email": "fuzz@example.com", "password": "long-enough"}'
# A TLS 1.2 ClientHello's first bytes: what a client speaking HTTPS sends to a plain port.
TLS_HELLO = bytes.fromhex("16030100a5010000a10303") + bytes(range(32)) + b"\x00\x00\x02\x13\x01"

# name -> (bytes, status expected through Nginx)
CASES: Mapping[str, tuple[bytes, int]] = {
    "nul byte in path": (request("GET /products/%00 HTTP/1.1", HOST, CLOSE), 400),
    "bad percent escape": (request("GET /products/%zz HTTP/1.1", HOST, CLOSE), 400),
    # Nginx passes raw non-ASCII bytes on; uvicorn cannot decode them, gunicorn can.
    "raw byte in path": (request(b"GET /products/\xff HTTP/1.1", HOST, CLOSE), 400),
    "asterisk target": (request("OPTIONS * HTTP/1.1", HOST, CLOSE), 400),
    "lower-case method": (request("get /products HTTP/1.1", HOST, CLOSE), 400),
    "unknown method": (request("FOO /products HTTP/1.1", HOST, CLOSE), 400),
    "unknown method, unknown path": (request("FOO /nope HTTP/1.1", HOST, CLOSE), 400),
    "webdav method": (request("PROPFIND /products HTTP/1.1", HOST, CLOSE), 400),
    "method with a digit": (request("GET1 /products HTTP/1.1", HOST, CLOSE), 400),
    "tls client hello": (TLS_HELLO, 400),
    "http/2 preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
    "http/2.0 request line": (request("GET /products HTTP/2.0", HOST, CLOSE), 400),
    "http/3.0 request line": (request("GET /products HTTP/3.0", HOST, CLOSE), 400),
    "garbage version": (request("GET /products HTTX/1.1", HOST, CLOSE), 400),
    "extra request-line token": (request("GET /products HTTP/1.1 x", HOST, CLOSE), 400),
    "connect, origin form": (request("CONNECT /products HTTP/1.1", HOST, CLOSE), 400),
    "connect an unknown path": (request("CONNECT /nope HTTP/1.1", HOST, CLOSE), 400),
    "connect, authority form": (request("CONNECT 127.0.0.1:443 HTTP/1.1", HOST, CLOSE), 404),
    "trace an api path": (request("TRACE /products HTTP/1.1", HOST, CLOSE), 405),
    "trace an unknown path": (request("TRACE /nope HTTP/1.1", HOST, CLOSE), 404),
    "no host": (request("GET /products HTTP/1.1", CLOSE), 400),
    "two hosts": (request("GET /products HTTP/1.1", HOST, HOST, CLOSE), 400),
    # Nginx drops a header line it cannot parse (ignore_invalid_headers) and serves the rest;
    # gunicorn and uvicorn refuse the request.
    "header without colon": (request("GET /products HTTP/1.1", HOST, "Bogus", CLOSE), 200),
    "space in header name": (request("GET /products HTTP/1.1", HOST, "X Y: z", CLOSE), 400),
    "nul in header value": (request("GET /products HTTP/1.1", HOST, b"X-A: a\x00b", CLOSE), 400),
    "folded header": (request("GET /products HTTP/1.1", HOST, "X-A: a", " b", CLOSE), 400),
    "gzip transfer coding": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Transfer-Encoding: gzip", CLOSE),
        400,
    ),
    "gzip then chunked": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Transfer-Encoding: gzip, chunked", CLOSE)
        + b"0\r\n\r\n",
        400,
    ),
    "identity transfer coding": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Transfer-Encoding: identity", CLOSE),
        400,
    ),
    "length and chunked": (
        request(
            "POST /auth/login HTTP/1.1",
            HOST,
            JSON,
            f"Content-Length: {len(LOGIN)}",
            "Transfer-Encoding: chunked",
            CLOSE,
        )
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(LOGIN), LOGIN),
        400,
    ),
    "two lengths": (
        request(
            "POST /auth/login HTTP/1.1",
            HOST,
            JSON,
            f"Content-Length: {len(LOGIN)}",
            f"Content-Length: {len(LOGIN) + 1}",
            CLOSE,
        )
        + LOGIN,
        400,
    ),
    "length not a number": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Content-Length: abc", CLOSE),
        400,
    ),
    "length beyond 64 bits": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Content-Length: " + "9" * 20, CLOSE),
        400,
    ),
    "negative length": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Content-Length: -1", CLOSE),
        400,
    ),
    "bad chunk size": (
        request("POST /auth/login HTTP/1.1", HOST, JSON, "Transfer-Encoding: chunked", CLOSE)
        + b"zz\r\n{}\r\n0\r\n\r\n",
        400,
    ),
    "chunked on http/1.0": (
        request("POST /auth/login HTTP/1.0", HOST, JSON, "Transfer-Encoding: chunked")
        + b"%x\r\n%s\r\n0\r\n\r\n" % (len(LOGIN), LOGIN),
        400,
    ),
    "header line over 8 KiB": (
        request("GET /products HTTP/1.1", HOST, "X-Pad: " + "a" * 9000, CLOSE),
        400,
    ),
    "request line over 8 KiB": (
        request("GET /products?pad=" + "a" * 9000 + " HTTP/1.1", HOST, CLOSE),
        414,
    ),
}

# A TLS hello has no line end: without Nginx, gunicorn keeps reading until its worker timeout.
NGINX_ONLY = {"tls client hello"}


def _answers(apps: dict[str, AppUnderTest], via: str, data: bytes) -> dict[str, RawReply]:
    return {name: send_raw(url_of(app, via), data) for name, app in apps.items()}


def _check_json(name: str, reply: RawReply) -> tuple[int, str | None]:
    """The reply's status and error code, after checking it is JSON and never a 5xx."""
    assert reply.status is not None, (name, reply.raw[:300])
    assert reply.status < 500, (name, reply.status, reply.raw[:300])
    media = reply.header("content-type").partition(";")[0].strip().lower()
    assert media == "application/json", (name, reply.raw[:300])
    body = json.loads(reply.body)
    if reply.status < 400:
        return reply.status, None
    assert_envelope(body)
    return reply.status, body["error"]["code"]


@pytest.mark.parametrize("case", list(CASES))
def test_nginx_answers_every_malformed_request_in_json(
    apps: dict[str, AppUnderTest], case: str
) -> None:
    data, status = CASES[case]
    answers = {
        name: _check_json(name, reply) for name, reply in _answers(apps, "nginx", data).items()
    }
    assert {s for s, _ in answers.values()} == {status}, answers
    assert len(set(answers.values())) == 1, answers


@pytest.mark.parametrize("case", [c for c in CASES if c not in NGINX_ONLY])
def test_app_servers_answer_every_malformed_request_alike(
    apps: dict[str, AppUnderTest], case: str
) -> None:
    # Without Nginx some of these are no error (no Host, sizes only Nginx bounds); what
    # matters is JSON and the same answer from every app.
    data, _ = CASES[case]
    answers = {
        name: _check_json(name, reply) for name, reply in _answers(apps, "direct", data).items()
    }
    assert len(set(answers.values())) == 1, answers


def test_http_0_9_is_refused_everywhere(apps: dict[str, AppUnderTest]) -> None:
    # An HTTP/0.9 reply is a bare body: Nginx sends the envelope without status or headers.
    data = b"GET /health\r\n\r\n"
    for name, reply in _answers(apps, "nginx", data).items():
        assert reply.status is None, (name, reply.raw[:300])
        body = json.loads(reply.body)
        assert_envelope(body)
        assert body["error"]["code"] == "validation_error", (name, body)
    answers = {
        name: _check_json(name, reply) for name, reply in _answers(apps, "direct", data).items()
    }
    assert set(answers.values()) == {(400, "validation_error")}, answers


@pytest.mark.parametrize("count", [101, 800])
@pytest.mark.parametrize("via", ["nginx", "direct"])
def test_many_headers_are_served_alike(apps: dict[str, AppUnderTest], via: str, count: int) -> None:
    # No limit on the number of header fields: Nginx bounds headers by size (its four 8 KiB
    # buffers), and 800 short ones fit; gunicorn's default of 100 fields would refuse 101.
    fields = [f"X-Field-{n}: {n}" for n in range(count)]
    data = request("GET /health HTTP/1.1", HOST, *fields, CLOSE)
    for name, reply in _answers(apps, via, data).items():
        assert _check_json(name, reply) == (200, None)
        assert json.loads(reply.body) == {"status": "ok", "framework": APP_SPECS[name].framework}


@pytest.mark.parametrize("via", ["nginx", "direct"])
def test_head_answers_carry_no_body(apps: dict[str, AppUnderTest], via: str) -> None:
    # gunicorn sends whatever body the app returns, even to HEAD; the reply is read to the
    # connection's close, so any body byte would show.
    for path, status in (("/health", 405), ("/nope", 404)):
        data = request(f"HEAD {path} HTTP/1.1", HOST, CLOSE)
        for name, reply in _answers(apps, via, data).items():
            assert reply.status == status, (name, reply.raw[:300])
            assert reply.body == b"", (name, reply.raw[:300])


@pytest.mark.parametrize("via", ["nginx", "direct"])
def test_an_upgrade_request_is_plain_http(apps: dict[str, AppUnderTest], via: str) -> None:
    # No app has WebSocket routes: uvicorn would otherwise answer 403 in plain text.
    data = request(
        "GET /health HTTP/1.1",
        HOST,
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    )
    for name, reply in _answers(apps, via, data).items():
        assert _check_json(name, reply) == (200, None)
        assert json.loads(reply.body) == {"status": "ok", "framework": APP_SPECS[name].framework}
