# Every user-facing target installs into .venv first when it is missing or stale.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
EXTRAS := django,fastapi,loadtest,dev
export PYTHONPATH := $(CURDIR)
# Recorded in each run's meta.json as the command that produced it.
export MAKE_TARGET = $@

.PHONY: help
help: ## List the targets and the variables they read
	@echo "Targets:"
	@grep -hE '^[a-zA-Z_%-]+:.*?## ' $(MAKEFILE_LIST) | sed 's/%/<app>/' | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'
	@echo
	@$(PYTHON) -m infra.settings.doc help

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt '.[$(EXTRAS)]'
	@touch $(STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install the pinned dependencies (run by every target)

.PHONY: test
test: $(STAMP) ## Run the whole test suite (contract suite on both apps, harness, end-to-end)
	$(PY) -m pytest

.PHONY: test-hosts
test-hosts: $(STAMP) ## The multi-host topology test alone (network namespaces; needs root)
	$(PY) -m pytest tests/hosts

.PHONY: lint
lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The django-stubs plugin imports the settings, which refuse to load without these.
	APP_SECRET_KEY=lint-only-secret-key-not-used-for-anything DATABASE_URL=postgresql://lint@127.0.0.1/lint $(VENV)/bin/mypy .

.PHONY: serve
serve: $(STAMP) ## App host: fresh seeded stack for APP behind Nginx on BIND; Ctrl-C stops it
	@$(PY) -m scripts.serve

.PHONY: db
db: $(STAMP) ## Database host: the embedded PostgreSQL on BIND:PG_PORT; prints DATABASE_URL
	@$(PY) -m scripts.db

.PHONY: loadgen-worker
loadgen-worker: $(STAMP) ## Load host: Locust worker(s) for the master at MASTER=host:port
	@$(PY) -m scripts.loadgen_worker

.PHONY: bench
bench: $(STAMP) ## Benchmark Django and FastAPI, TRIALS times each, interleaved, then compare (the main command)
	@$(PY) -m scripts.bench django fastapi

.PHONY: matrix
matrix: $(STAMP) ## Every app of MATRIX_APPS (the floor first) through RAMP (default auto), interleaved, against the floor
	@RAMP="$${RAMP:-auto}" $(PY) -m scripts.bench --matrix

.PHONY: apps
apps: ## Print the name of every app, one a line
	@$(PYTHON) -m infra.appservers

# bench-<app> and ui-<app> for every app of `make apps`.
bench-%: $(STAMP) ## Benchmark one app (bench-django, bench-floor, ...) into results/; as a load host: TARGET_URL, LOCUST_WORKERS
	@$(PY) -m scripts.bench $*

ui-%: $(STAMP) ## One app's stack (ui-django, ...) with the Locust web UI on 127.0.0.1:UI_PORT
	@$(PY) -m scripts.bench $* --ui

.PHONY: report
report: $(STAMP) ## Rebuild the README results and results/comparison.md from saved runs
	$(PY) -m scripts.report

.PHONY: docs
docs: ## Regenerate the README settings table from infra/settings/
	$(PYTHON) -m scripts.docs

.PHONY: percentiles
percentiles: $(STAMP) ## Recompute RUN=results/<run>'s figures from its raw samples; fails if summary.json differs
	@test -n "$(RUN)" || { echo "usage: make percentiles RUN=results/<run folder>" >&2; exit 2; }
	$(PY) -m scripts.percentiles $(RUN)

.PHONY: prune-results
prune-results: $(STAMP) ## List run folders README.md and results/*.md do not cite; DELETE=yes deletes them
	$(PY) -m scripts.prune $(if $(filter yes,$(DELETE)),--delete)

.PHONY: constraints
constraints: ## Re-pin constraints.txt from a fresh install of the pyproject ranges
	rm -rf .run/constraints-venv && $(PYTHON) -m venv .run/constraints-venv
	.run/constraints-venv/bin/pip install --quiet '.[$(EXTRAS)]'
	{ echo "# Exact versions for reproducible installs: every install passes '-c constraints.txt'."; \
	  echo "# Regenerate with 'make constraints' after changing ranges in pyproject.toml."; \
	  .run/constraints-venv/bin/pip freeze --exclude-editable | grep -v '^dj-vs-fastapi-bench'; } > constraints.txt

.PHONY: clean
clean: ## Remove the virtualenv, the embedded database and run-time files (not results/)
	rm -rf $(VENV) .pgdata .run .pytest_cache .mypy_cache .ruff_cache build *.egg-info
