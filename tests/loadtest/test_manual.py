"""Manual web UI tests journal each user count in force as a step, on a real Locust runner.

Locust runs in a subprocess: importing it monkey-patches the interpreter with gevent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from infra.appservers import base_env

ROOT = Path(__file__).resolve().parents[2]

DRIVE = """
import sys, time
from argparse import Namespace
import gevent
from locust import LoadTestShape, User, constant, events, task
from locust.env import Environment
from loadtest.manual import ManualSteps

class Idle(User):
    wait_time = constant(1)

    @task
    def nothing(self):
        pass

class Shape(LoadTestShape):
    def tick(self):
        return (2, 100) if self.get_run_time() < 1.5 else None

path = sys.argv[1]
options = Namespace(spawn_rate=50.0)
env = Environment(user_classes=[Idle], events=events, parsed_options=options)
ManualSteps(__import__("pathlib").Path(path)).install(env.events)
runner = env.create_local_runner()
runner.start(2, spawn_rate=50)          # "Start" with 2 users
gevent.sleep(1)
options.spawn_rate = 20.0
runner.start(4, spawn_rate=20)          # "Edit": 4 users
gevent.sleep(1)
runner.start(4, spawn_rate=20)          # the same count again is the same step
gevent.sleep(1)
runner.stop()
if sys.argv[2:] == ["shape"]:           # a shape journals itself: nothing here
    open(path, "w").close()
    env.shape_class = Shape()
    env.shape_class.runner = runner
    runner.start_shape()
    gevent.sleep(3)
    runner.quit()
"""


def _drive(tmp_path: Path, *extra: str) -> list[dict[str, object]]:
    journal = tmp_path / "steps.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", DRIVE, str(journal), *extra],
        cwd=ROOT,
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in journal.read_text().splitlines()]


def test_each_user_count_asked_for_is_one_step_until_the_next(tmp_path: Path) -> None:
    first, second = _drive(tmp_path)
    assert {k: first[k] for k in ("index", "users", "spawn_rate", "shape")} == {
        "index": 0,
        "users": 2,
        "spawn_rate": 50.0,
        "shape": "manual",
    }
    assert {k: second[k] for k in ("index", "users", "spawn_rate")} == {
        "index": 1,
        "users": 4,
        "spawn_rate": 20.0,
    }
    assert first["end"] == second["start"]
    assert isinstance(second["end"], float) and isinstance(second["start"], float)
    assert second["end"] > second["start"]


def test_a_shape_test_is_left_to_the_shape(tmp_path: Path) -> None:
    assert _drive(tmp_path, "shape") == []
