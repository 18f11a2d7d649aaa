"""Hand-made HTTP over a raw socket, read back without trusting the reply's framing."""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

import httpx

STATUS_LINE_RE = re.compile(rb"\AHTTP/1\.[01] (\d{3})(?: [^\r\n]*)?\Z")


@dataclass(frozen=True)
class RawReply:
    """One reply: status None when there was no status line (an HTTP/0.9 reply is a bare body)."""

    status: int | None
    headers: dict[str, str]
    body: bytes
    raw: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def send_raw(url: str, data: bytes, *, timeout: float = 10.0) -> RawReply:
    """Send `data` as is and read until the server closes or the declared length is in."""
    parsed = httpx.URL(url)
    assert parsed.host and parsed.port
    received = b""
    with socket.create_connection((parsed.host, parsed.port), timeout=timeout) as sock:
        sock.sendall(data)
        while not _complete(received):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    return parse_reply(received)


def _complete(received: bytes) -> bool:
    head, sep, body = received.partition(b"\r\n\r\n")
    if not sep:
        return False
    if re.search(rb"^transfer-encoding:\s*chunked\s*$", head, re.IGNORECASE | re.MULTILINE):
        return body.endswith(b"0\r\n\r\n")
    found = re.search(rb"^content-length:\s*(\d+)\s*$", head, re.IGNORECASE | re.MULTILINE)
    return found is not None and len(body) >= int(found.group(1))


def parse_reply(raw: bytes) -> RawReply:
    """Split a reply into status, headers and body; a reply without a status line is all body."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    matched = STATUS_LINE_RE.match(lines[0]) if sep else None
    if matched is None:
        return RawReply(None, {}, raw, raw)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return RawReply(int(matched.group(1)), headers, body, raw)


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out
