"""Hosts on one machine: network namespaces joined by a bridge, and processes inside them.

The bridge lives in a namespace of its own and every host gets one veth pair (one end on
the bridge, the other its eth0), so the subnet exists only inside these namespaces: nothing
is added to the machine's own network, and traffic can reach no address outside them.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SUBNET = "10.231.0"


def ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=False)


def why_not_possible() -> str | None:
    """None when namespaces can be made here, else the one-line reason."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    probe = f"hostsprobe{os.getpid()}"
    made = ip("netns", "add", probe)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    ip("netns", "del", probe)
    return None


@dataclass
class Host:
    name: str  # the namespace
    address: str


@dataclass
class Network:
    prefix: str
    hosts: dict[str, Host] = field(default_factory=dict)

    @property
    def switch(self) -> str:
        return f"{self.prefix}-sw"

    def namespaces(self) -> list[str]:
        return [self.switch, *(host.name for host in self.hosts.values())]


def _check(done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(done.args[1:])}: {done.stderr.strip()}")


@contextlib.contextmanager
def network(roles: Sequence[str]) -> Iterator[Network]:
    """Namespaces `<prefix>-<role>` at 10.231.0.1, .2, ... on one bridge; all removed after."""
    net = Network(prefix=f"bh{os.getpid()}")
    try:
        _check(ip("netns", "add", net.switch))
        sw = ["-n", net.switch]
        _check(ip(*sw, "link", "add", "br0", "type", "bridge"))
        _check(ip(*sw, "link", "set", "br0", "up"))
        for number, role in enumerate(roles, start=1):
            host = Host(name=f"{net.prefix}-{role}", address=f"{SUBNET}.{number}")
            net.hosts[role] = host
            _check(ip("netns", "add", host.name))
            port = f"p{number}"
            _check(
                ip(
                    *sw,
                    "link",
                    "add",
                    port,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "eth0",
                    "netns",
                    host.name,
                )
            )
            _check(ip(*sw, "link", "set", port, "master", "br0"))
            _check(ip(*sw, "link", "set", port, "up"))
            inside = ["-n", host.name]
            _check(ip(*inside, "addr", "add", f"{host.address}/24", "dev", "eth0"))
            _check(ip(*inside, "link", "set", "eth0", "up"))
            _check(ip(*inside, "link", "set", "lo", "up"))
        yield net
    finally:
        for name in net.namespaces():
            # Processes still inside (a test that failed half-way) are this test's own.
            for pid in pids_in(name):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        left = []
        for name in net.namespaces():
            if ip("netns", "del", name).returncode != 0 and name in ip("netns", "list").stdout:
                left.append(name)
        if left:
            raise RuntimeError(f"network namespaces not removed: {left}")


def pids_in(namespace: str) -> list[int]:
    """The processes living in a namespace (`ip netns pids`)."""
    return [int(pid) for pid in ip("netns", "pids", namespace).stdout.split()]


class Process:
    """A command inside a namespace, in its own process group, its stdout read line by line."""

    def __init__(
        self, host: Host, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path
    ) -> None:
        self.log = log
        self._stderr = log.open("w")
        self.popen = subprocess.Popen(
            ["ip", "netns", "exec", host.name, *argv],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line.rstrip("\n"))

    def value(self, key: str, *, timeout: float) -> str:
        """The value of the first `KEY=value` line it prints."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.popen.poll() is not None:
                    break
                continue
            if line.startswith(f"{key}="):
                return line.split("=", 1)[1]
        raise AssertionError(f"no {key}= line; log {self.log}:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 30) -> int:
        """Signal its group, wait, then kill what is left; its exit code."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
        self._reader.join(timeout=10)
        if self.popen.stdout is not None:
            self.popen.stdout.close()
        self._stderr.close()
        return self.popen.returncode
