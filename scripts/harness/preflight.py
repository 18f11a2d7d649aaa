"""Before any load: the target answers /health and a seeded user can log in.

A benchmark of a dead target, or of one where no login works, measures nothing: it fails
here, in seconds, with one line, instead of producing a run full of errors.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from infra.fixtures import BENCH_PASSWORD, bench_email

TIMEOUT_SECONDS = 10.0


class PreflightError(RuntimeError):
    """The target is not ready for a benchmark; the message says what failed, in one line."""


def preflight(base_url: str, *, what: str) -> None:
    """Raise PreflightError unless GET /health is 200 and a seeded user logs in.

    `what` names the target in the message, e.g. "TARGET_URL=http://10.0.0.2:8000".
    """
    status, body = _request(f"{base_url}/health", what=what)
    if status != 200 or not isinstance(body, dict) or body.get("status") != "ok":
        raise PreflightError(f"{what}: GET /health answered {status} {_short(body)}")
    credentials = {"email": bench_email(1), "password": BENCH_PASSWORD}
    status, body = _request(f"{base_url}/auth/login", what=what, payload=credentials)
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("token"), str):
        raise PreflightError(
            f"{what}: logging in as {credentials['email']} answered {status} {_short(body)} "
            "(is the database seeded by this project?)"
        )


def _request(url: str, *, what: str, payload: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL the user asked us to load
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status), _json(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read())
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PreflightError(f"{what}: {url} did not answer ({reason})") from None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw[:80].decode("utf-8", "replace")


def _short(body: Any) -> str:
    text = json.dumps(body) if not isinstance(body, str) else repr(body)
    return text if len(text) <= 120 else text[:117] + "..."
