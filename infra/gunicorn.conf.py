"""gunicorn settings for the Django app; the harness passes bind and workers by environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Sync workers by default: Django's ORM is synchronous and this is the classic deployment.
# They close the connection after every response, so Nginx's upstream keepalive only helps
# with GUNICORN_WORKER_CLASS=gthread (then GUNICORN_THREADS threads per worker).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 5
timeout = 30
# gunicorn's largest request line: Nginx (8 KiB) rejects longer ones first, in JSON, where
# gunicorn's own default (4094) would answer with an HTML page.
limit_request_line = 8190
graceful_timeout = 5
# No access log: per-request logging would be measured as framework cost.
accesslog = None
errorlog = "-"
loglevel = "warning"
# Load the app once in the master: a bad setting fails at start-up with one clear message,
# and workers share the imported code's memory pages (the envelope is 512 MB).
preload_app = True
