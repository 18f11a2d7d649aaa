"""What every CLI entry point shares: one-line errors, and SIGINT and SIGTERM as Ctrl-C."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType

import psycopg

from infra.ports import PortInUseError
from infra.procs import ProcessFailedError
from infra.settings.kinds import ConfigError
from scripts.harness.errors import HarnessError

EXPECTED_ERRORS = (
    psycopg.Error,
    ConfigError,
    PortInUseError,
    ProcessFailedError,
    HarnessError,
    ValueError,
    RuntimeError,
    OSError,
)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(main: Callable[[], int]) -> None:
    """Run `main`, turning expected failures into one line on stderr and exit code 1 or 2."""
    # A script's background job starts with SIGINT ignored, and Python leaves it so: restore
    # Ctrl-C's handler, so `kill -INT` stops the run as Ctrl-C does (and children started
    # from here do not inherit the ignored SIGINT either).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # SIGTERM unwinds like Ctrl-C so context managers stop what they started.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        code = main()
    except KeyboardInterrupt:
        print("interrupted; everything started has been stopped", file=sys.stderr)
        code = 130
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    except EXPECTED_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 1
    sys.exit(code)
