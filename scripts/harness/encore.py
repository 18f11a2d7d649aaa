"""PROFILE=1: sample the app's workers with py-spy during the encore's steady state.

The shape announces the encore (raw/encore.json: its index, users and steady window); the
run's supervision loop calls `poll()` every second, which starts py-spy when the window
opens and stops it when it closes. Nothing here ever fails a run: a profile that cannot be
taken is one line on stderr and a `problem` in raw/profile.json.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from infra.stack import Stack
from loadtest.ramp import ENCORE_FILE
from scripts.harness.profile_summary import write_profile_record
from scripts.harness.profiling import ProfileSession, start_profile
from scripts.harness.results import RAW_DIR

# py-spy stops by itself this long after the window, should nobody stop it.
SAFETY_SECONDS = 30.0


class EncoreProfiler:
    """Profiles the encore step of one run, once."""

    def __init__(self, *, app: str, run_dir: Path, stack: Stack, rate: int) -> None:
        self.app = app
        self.run_dir = run_dir
        self.stack = stack
        self.rate = rate
        self._window: dict[str, Any] | None = None
        self._session: ProfileSession | None = None
        self._done = False

    def poll(self, now: float | None = None) -> None:
        """Start or stop sampling as the encore's window opens and closes."""
        if self._done:
            return
        now = time.time() if now is None else now
        if self._window is None:
            self._window = _read_window(self.run_dir / RAW_DIR / ENCORE_FILE)
            if self._window is None:
                return
        if self._session is None and now >= self._window["steady_start"]:
            self._start(now)
        elif self._session is not None and now >= self._window["end"]:
            self.close()

    def close(self) -> None:
        """Stop sampling (the run is over or the window closed) and record what it left."""
        if self._session is None or self._done:
            self._done = True
            return
        self._done = True
        result = self._session.stop()
        assert self._window is not None
        write_profile_record(
            self.run_dir,
            result,
            step_index=int(self._window["index"]),
            users=int(self._window["users"]),
            rate=self.rate,
        )
        if result.problem:
            print(f"{self.app}: no profile: {result.problem}", file=sys.stderr)

    def _start(self, now: float) -> None:
        assert self._window is not None and self.stack.app_proc is not None
        placement = self.stack.placement
        cpus = None if placement is None or placement.shared else placement.other_cores
        self._session = start_profile(
            pid=self.stack.app_proc.pid,
            out_dir=self.run_dir,
            raw_dir=self.run_dir / RAW_DIR,
            max_seconds=max(1.0, self._window["end"] - now) + SAFETY_SECONDS,
            rate=self.rate,
            cpus=cpus,
        )
        if self._session.problem:
            print(f"{self.app}: no profile: {self._session.problem}", file=sys.stderr)
        print(
            f"{self.app}: profiling the app's workers at {self._window['users']} users",
            file=sys.stderr,
        )


def _read_window(path: Path) -> dict[str, Any] | None:
    try:
        window = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return window if isinstance(window, dict) else None
