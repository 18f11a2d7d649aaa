"""The app host's CPU and memory, recorded there and brought into a run folder elsewhere.

On the app host, `make serve RESOURCES_OUT=<file>` runs the resource monitor over the app
server, Nginx and a local PostgreSQL (the same rows as a run's raw/resources.csv), and
`RESOURCES_PORT=<port>` serves them over HTTP on BIND:
    GET /resources.csv?since=<epoch>&until=<epoch>   the rows stamped in that span
    GET /clock                                       {"now": <epoch>}, to compare clocks
On the load host, `APP_RESOURCES` (that URL, or the file itself on a shared disk) makes the
harness copy the run's span into raw/resources-app-host.csv once Locust is done; the
analysis merges it by time (scripts/harness/resources.py).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.ports import PortInUseError
from infra.settings import Settings
from infra.settings.kinds import ConfigError
from infra.stack import Stack
from scripts.harness.monitor import ResourceMonitor
from scripts.harness.resources import APP_HOST_FILE, RESOURCES_HEADER

FETCH_TIMEOUT_SECONDS = 10.0
# Rows this far outside the run still come along: the analysis only uses step windows.
MARGIN_SECONDS = 5.0


def rows_between(path: Path, since: float, until: float) -> str:
    """The CSV (header included) of the rows of `path` stamped in [since, until]."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESOURCES_HEADER)
    with contextlib.suppress(FileNotFoundError), path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader, None)
        for row in reader:
            with contextlib.suppress(ValueError, IndexError):
                if since <= float(row[0]) <= until:
                    writer.writerow(row)
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    path_to_rows: Path  # set on the subclass made per server

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/clock":
            self._send(200, "application/json", json.dumps({"now": time.time()}))
            return
        if url.path != "/resources.csv":
            self._send(404, "application/json", '{"error": "not found"}')
            return
        query = parse_qs(url.query)
        try:
            since = float(query.get("since", ["0"])[0])
            until = float(query.get("until", ["inf"])[0])
        except ValueError:
            self._send(400, "application/json", '{"error": "since and until are epoch seconds"}')
            return
        self._send(200, "text/csv", rows_between(self.path_to_rows, since, until))

    def _send(self, status: int, kind: str, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one request per run: nothing worth a log line


@contextlib.contextmanager
def recording(
    path: Path, groups: Mapping[str, Callable[[], list[int]]], *, bind: str, port: int | None
) -> Iterator[str | None]:
    """Record `groups` to `path` while inside; with `port`, serve them. Yields the URL."""
    with ResourceMonitor(path, groups):
        if port is None:
            yield None
            return
        handler = type("Handler", (_Handler,), {"path_to_rows": path})
        try:
            server = ThreadingHTTPServer((bind, port), handler)
        except OSError as exc:
            raise PortInUseError(f"RESOURCES_PORT={port} on {bind}: {exc.strerror}") from None
        thread = threading.Thread(target=server.serve_forever, name="resource-feed", daemon=True)
        thread.start()
        try:
            host = f"[{bind}]" if ":" in bind else bind
            yield f"http://{host}:{port}"
        finally:
            server.shutdown()
            server.server_close()


def for_stack(settings: Settings, stack: Stack) -> contextlib.AbstractContextManager[str | None]:
    """`make serve`'s recording of its own stack, when RESOURCES_OUT or RESOURCES_PORT ask."""
    if settings.resources_out is None and settings.resources_port is None:
        return contextlib.nullcontext()
    path = settings.resources_out
    if path is None:
        path = stack.settings.run_dir / "resources.csv"
        path.unlink(missing_ok=True)  # this session's rows only
    # Read on every tick: a part of the stack may be restarted while it serves.
    groups = {
        name: (lambda name=name: stack.groups().get(name, [])) for name in ("app", "db", "nginx")
    }
    return recording(path, groups, bind=settings.bind, port=settings.resources_port)


def probe(source: str) -> None:
    """Fail before the run (ConfigError, one line) when APP_RESOURCES cannot be read."""
    try:
        _read(source, 0.0, 0.0)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        raise ConfigError(f"APP_RESOURCES={source!r} cannot be read: {_reason(exc)}") from None


def collect(source: str, raw_dir: Path, *, since: float, until: float) -> dict[str, Any]:
    """Copy the app host's rows of [since, until] (with a margin) into raw/; what was done."""
    record: dict[str, Any] = {"source": source, "file": APP_HOST_FILE}
    try:
        text = _read(source, since - MARGIN_SECONDS, until + MARGIN_SECONDS)
        if source.startswith(("http://", "https://")):
            record["clock_offset_s"] = round(_clock_offset(source), 4)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        # The load data is whole without it: the app's columns will say "not measured".
        return {**record, "file": None, "error": _reason(exc)}
    (raw_dir / APP_HOST_FILE).write_text(text, encoding="utf-8")
    record["rows"] = max(0, text.count("\n") - 1)
    return record


def _read(source: str, since: float, until: float) -> str:
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no file {path}")
        return rows_between(path, since, until)
    url = f"{source.rstrip('/')}/resources.csv?since={since:.3f}&until={until:.3f}"
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) only
        text: str = response.read().decode()
    if not text.startswith(",".join(RESOURCES_HEADER)):
        raise ValueError(f"{url} did not answer with resource samples")
    return text


def _clock_offset(source: str) -> float:
    """The app host's clock minus this one's, to within half a round trip."""
    sent = time.time()
    with urllib.request.urlopen(f"{source.rstrip('/')}/clock", timeout=FETCH_TIMEOUT_SECONDS) as r:  # noqa: S310 - http(s) only
        now = float(json.loads(r.read())["now"])
    return now - (sent + time.time()) / 2


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    return str(exc)
