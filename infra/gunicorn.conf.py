"""gunicorn settings for the Django app; the harness passes bind and workers by environment."""

import os

import gunicorn.util  # type: ignore[import-untyped]

from django_app.server import write_error

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Sync workers by default: Django's ORM is synchronous and this is the classic deployment.
# They close the connection after every response, so Nginx's upstream keepalive only helps
# with GUNICORN_WORKER_CLASS=gthread (then GUNICORN_THREADS threads per worker).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 5
timeout = 30
# Request sizes are bounded by Nginx alone (8 KiB a line, 32 KiB of headers, 64 KiB of body):
# uvicorn has no limits of its own, so gunicorn's are lifted too (0 = unlimited; 32768 fields
# is its ceiling), and a request such as one with 101 headers (gunicorn's default limit is
# 100) gets the same answer from every app, with Nginx in front or without.
limit_request_line = 0
limit_request_fields = 32768
limit_request_field_size = 0
# gunicorn answers requests it cannot parse itself, with an HTML page; this is its one seam.
gunicorn.util.write_error = write_error
graceful_timeout = 5
# No access log: per-request logging would be measured as framework cost.
accesslog = None
errorlog = "-"
loglevel = "warning"
# Load the app once in the master: a bad setting fails at start-up with one clear message,
# and workers share the imported code's memory pages (the envelope is 512 MB).
preload_app = True
