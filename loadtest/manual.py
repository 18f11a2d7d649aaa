"""`ManualSteps`: the steps of a web UI test run with the user count typed in the form.

With --class-picker the web UI offers SteppedRamp (which journals its own steps) or
"Default", Locust's manual mode: the form's user count and spawn rate as typed, changeable
while the test runs ("Edit"). Each user count in force becomes one line of the same
steps.jsonl, from when it was asked for until the next one or the end of the test, so the
analysis measures a manual test like a stepped one. The lines also carry the spawn rate
typed and `"shape": "manual"`, which the harness (scripts/harness/ui.py) reads.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import gevent

# How often the target user count is read: a change is dated at most this late, well
# inside the settle time discarded after every change.
POLL_SECONDS = 0.25


class ManualSteps:
    """Journals the user counts of manual web UI tests (Locust's `test_start`/`test_stop`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._open: dict[str, Any] | None = None
        self._watcher: gevent.Greenlet | None = None

    def install(self, events: Any) -> None:
        events.test_start.add_listener(self._on_test_start)
        events.test_stop.add_listener(self._on_test_stop)

    def _on_test_start(self, environment: Any, **_kwargs: Any) -> None:
        if environment.shape_class is not None:
            return  # a shape journals its own steps
        self._observe(environment, index=0)
        self._watcher = gevent.spawn(self._watch, environment)

    def _watch(self, environment: Any) -> None:
        while True:
            gevent.sleep(POLL_SECONDS)
            self._observe(environment)

    def _observe(self, environment: Any, *, index: int | None = None) -> None:
        # Locust sets the target before it starts (or stops) the users that reach it.
        users = int(environment.runner.target_user_count)
        if self._open is not None and self._open["users"] == users:
            return
        if index is None:
            index = self._open["index"] + 1 if self._open is not None else 0
        now = time.time()
        self._close(at=now)
        rate = getattr(environment.parsed_options, "spawn_rate", None)
        self._open = {
            "index": index,
            "users": users,
            "start": now,
            "spawn_rate": float(rate) if rate else None,
            "shape": "manual",
        }

    def _on_test_stop(self, **_kwargs: Any) -> None:
        if self._watcher is not None:
            self._watcher.kill(block=False)
            self._watcher = None
        self._close(at=time.time())

    def _close(self, *, at: float) -> None:
        step, self._open = self._open, None
        if step is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({**step, "end": at}) + "\n")
