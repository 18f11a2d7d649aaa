"""Port checks: fail with a clear message naming the taken port before anything starts."""

from __future__ import annotations

import errno
import socket

import psutil


class PortInUseError(RuntimeError):
    """A port the stack needs is already taken."""


def _holder(port: int) -> str:
    try:
        conns = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        return "another process"
    for conn in conns:
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
            if conn.pid is None:
                return "another process"
            try:
                return f"pid {conn.pid} ({psutil.Process(conn.pid).name()})"
            except psutil.Error:
                return f"pid {conn.pid}"
    return "another process"


def ensure_free(port: int, *, host: str = "127.0.0.1", purpose: str) -> None:
    """Raise PortInUseError when `host:port` cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As the servers themselves do: connections of a previous run lingering in TIME_WAIT
        # do not make the port "taken"; only a live socket does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise PortInUseError(
                    f"{host} ({purpose}) is not an address of this machine; "
                    "choose one of its own (ip addr) or 0.0.0.0"
                ) from None
            raise PortInUseError(
                f"port {port} on {host} ({purpose}) is already in use by {_holder(port)}; "
                f"stop it or choose another port"
            ) from None


def free_port(host: str = "127.0.0.1") -> int:
    """Return a port the kernel reports free right now (for tests and ad-hoc stacks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port
