"""Port checks: a listening port is reported by number; one merely in TIME_WAIT is free."""

from __future__ import annotations

import socket

import pytest

from infra.ports import PortInUseError, ensure_free, free_port


def test_listening_port_is_taken() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"port {port} on 127.0.0.1 \\(nginx\\)"):
            ensure_free(port, purpose="nginx")


def test_port_in_time_wait_is_free() -> None:
    port = free_port()
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = server.accept()
        conn.close()  # the server side closes first, so it is the one left in TIME_WAIT
        client.close()
    ensure_free(port, purpose="app server")


def test_an_address_this_machine_does_not_have_is_named_as_such() -> None:
    # TEST-NET-3 (RFC 5737): never assigned to a machine's interface.
    with pytest.raises(PortInUseError, match=r"203\.0\.113\.9 \(nginx\) is not an address of"):
        ensure_free(free_port(), host="203.0.113.9", purpose="nginx")
