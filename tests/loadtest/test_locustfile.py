"""The locustfile as Locust itself loads it, in a subprocess: importing Locust monkey-patches
the interpreter with gevent, which must not leak into the rest of the test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LOAD = """
from locust.util.load_locustfile import load_locustfile
users, shapes = load_locustfile("loadtest/locustfile.py")
print(sorted(users), [type(s).__name__ for s in shapes])
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_locust_finds_the_shopper_and_the_stepped_ramp_as_its_default_shape(
    tmp_path: Path,
) -> None:
    done = run_python(LOAD, BENCH_SAMPLES_DIR=str(tmp_path))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ShopperUser'] ['SteppedRamp']"
    assert list(tmp_path.iterdir()) == []  # nothing is written before a test runs


def test_a_bad_setting_stops_locust_with_one_line(tmp_path: Path) -> None:
    done = run_python(LOAD, BENCH_SAMPLES_DIR=str(tmp_path), BENCH_THINK="soon")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "loadtest: BENCH_THINK='soon' is not 'low-high' or a number of seconds >= 0"
    ]


def test_modules_used_outside_locust_do_not_import_it() -> None:
    code = (
        "import sys, loadtest.settings, loadtest.think, loadtest.ramp, loadtest.flow, "
        "loadtest.recorder; print('locust' in sys.modules)"
    )
    done = run_python(code)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
