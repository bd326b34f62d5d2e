# Bridgeway: `make run` (demo on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python >= 3.12: PATH first, then pyenv's installs.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	  c=$$(command -v $$p 2>/dev/null) || continue; \
	  $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; exit 0; }; \
	done; \
	for c in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V -r); do \
	  $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; exit 0; }; \
	done)

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test install lint messages worker bench clean

help:
	@echo "make run    - install, migrate, load demo data once, serve on http://$(HOST):$(PORT)"
	@echo "make test   - install test dependencies and run the whole suite (browser tests need /usr/bin/chromium)"
	@echo "make worker - run the background task worker"
	@echo "make lint   - ruff, the layering contracts (import-linter), mypy, migrations check"

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found on PATH or under pyenv. Install one (e.g. pyenv install 3.13)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@# pycanon pins numpy 2.0.2 (no wheel for Python 3.13): only its own code, on our numpy/pandas.
	$(PY) -m pip install --quiet --no-deps -c constraints.txt pycanon
	@touch $(STAMP)

install: $(STAMP)

run: install
	@mkdir -p var
	BRIDGEWAY_DEBUG=1 $(PY) manage.py migrate --no-input
	BRIDGEWAY_DEBUG=1 $(PY) manage.py createcachetable
	BRIDGEWAY_DEBUG=1 $(PY) manage.py demo_seed
	BRIDGEWAY_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# `manage.py worker`, not `db_worker`: no autoreloader child (stopping this process stops the
# work), and jobs of dead workers are recovered at start. `exec`: the worker replaces the shell.
worker: install
	BRIDGEWAY_DEBUG=1 exec $(PY) manage.py worker

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check bridgeway tests bench
	$(VENV)/bin/lint-imports
	@mkdir -p var
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run

bench: install
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) bench/bench_encryption.py

messages: install
	cd bridgeway && BRIDGEWAY_DEBUG=1 ../$(PY) ../manage.py makemessages -l uk -l ro -l fr -l ru -l ar --no-obsolete && BRIDGEWAY_DEBUG=1 ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3
