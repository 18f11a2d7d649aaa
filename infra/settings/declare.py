"""How a variable is declared: its row in the table, and who reads it.

Standard library only, like the whole package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from infra.settings.kinds import Kind

# Sections of the generated README table, in order.
LOAD = "Load and measurement"
STACK = "Stack (make serve, make bench)"
SERVERS = "App servers"
APPS = "Apps (passed to the app server's environment)"

# Who reads a variable. App variables are passed explicitly to the app server's
# environment, and only to the apps that read them (infra/appservers.py APP_READERS).
BENCH, SERVE, LOCUST = "bench", "serve", "locust"
EVERY_APP, DJANGO_APPS, POOLED_APPS = "every app", "Django apps", "asyncio apps"
APP_SERVERS, GUNICORN = "app servers", "gunicorn"
RUN = (BENCH, LOCUST)
STACK_READERS = (SERVE, BENCH)

SPEC = "setting"


@dataclass(frozen=True)
class VarSpec:
    """One row of the table."""

    name: str
    default: str
    kind: Kind[Any]
    help: str
    readers: tuple[str, ...]
    section: str
    secret: bool = False


def var(
    default: str,
    kind: Kind[Any],
    help: str,
    *,
    readers: tuple[str, ...],
    section: str,
    secret: bool = False,
) -> Any:
    """Declare one variable (its name is the field's, upper-cased)."""
    spec = VarSpec("", default, kind, help, readers, section, secret)
    return field(metadata={SPEC: spec})
