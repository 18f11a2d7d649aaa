"""The locustfile as Locust itself loads it, in a subprocess: importing Locust monkey-patches
the interpreter with gevent, which must not leak into the rest of the test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from infra.appservers import base_env

ROOT = Path(__file__).resolve().parents[2]
LOCUST = str(Path(sys.executable).parent / "locust")

LOAD = """
from locust.util.load_locustfile import load_locustfile
users, shapes = load_locustfile("loadtest/locustfile.py")
print(sorted(users), [type(s).__name__ for s in shapes])
"""


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=60, check=False
    )


def test_locust_finds_the_shopper_and_the_stepped_ramp_as_its_default_shape() -> None:
    done = run([sys.executable, "-c", LOAD])

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ShopperUser'] ['SteppedRamp']"


def test_a_bad_setting_stops_locust_with_one_line_before_any_request(tmp_path: Path) -> None:
    done = run(
        [
            LOCUST,
            "-f",
            "loadtest/locustfile.py",
            "--headless",
            "--host",
            "http://127.0.0.1:9",
            "--bench-think",
            "soon",
            "--bench-samples-dir",
            str(tmp_path),
        ]
    )

    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "loadtest: THINK='soon' is not 'low-high' or a number of seconds >= 0"
    )
    assert list(tmp_path.iterdir()) == []  # nothing was recorded


def test_modules_used_outside_locust_do_not_import_it() -> None:
    code = (
        "import sys, loadtest.options, loadtest.think, loadtest.ramp, loadtest.flow, "
        "loadtest.recorder; print('locust' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
