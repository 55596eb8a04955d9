# Trường Số: `make run` serves the demo school; `make test` runs every test on PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast venv deps-system serve migrate seed messages services stop-services clean backup restore

$(VENV)/.installed: requirements.lock pyproject.toml
	@echo "==> Creating the virtual environment and installing pinned dependencies"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	@set -o pipefail; $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 | { grep -v "^WARNING: Location" || true; }
	@touch $@

venv: $(VENV)/.installed

## make run: set up the embedded first run (SQLite unless DATABASE_URL says otherwise,
## Celery eager) and serve the demo school. DEBUG is off unless asked for; the first run asks
## (the development key, runserver serving static files, tracebacks on error pages).
run: export DEBUG = 1
run: venv
	@echo "==> Migrating the database (embedded SQLite db.sqlite3 unless DATABASE_URL is set)"
	@$(PY) manage.py migrate --no-input -v 0
	@echo "==> Seeding the demo schools (about two minutes the first time; skipped when already there)"
	@$(PY) manage.py seed_demo
	@echo "==> Counting the classes for the department's dashboard (beat does it every 30 minutes in production)"
	@$(PY) manage.py count_classes
	@echo "==> Serving on http://$(HOST):$(PORT)/ (demo logins are in the README; Ctrl+C stops)"
	@$(PY) manage.py runserver $(HOST):$(PORT)

## make test: install what the tests need, start PostgreSQL, its streaming replica and Redis on
## loopback, run pytest.
test: venv
	@bash scripts/system-deps.sh
	@eval "$$(TRUONGSO_REPLICA=1 bash scripts/services.sh)" && \
	  echo "==> Running the tests on PostgreSQL" && \
	  DJANGO_SETTINGS_MODULE=truongso.settings.test $(PY) -m pytest $(PYTEST_ARGS)

## make backup: the database and every stored file into a new directory of BACKUP_ROOT
## (var/backups), with a manifest of row counts, checksums and file hashes (core/backup.py).
backup: venv
	@$(PY) manage.py backup

## make restore FROM=<backup directory>: into the configured database and file roots (both
## empty; RESTORE_ARGS=--replace empties them first), compared with the manifest, then migrated.
restore: venv
	@test -n "$(FROM)" || { echo "usage: make restore FROM=<backup directory>" >&2; exit 2; }
	@$(PY) manage.py restore "$(FROM)" $(RESTORE_ARGS)

## make serve: the production stack on one machine (scripts/serve.sh): PostgreSQL and Redis
## that keep their data (var/durable, ports 54331 and 63801; `TRUONGSO_DURABLE=1
## scripts/stop-services.sh` stops them), gunicorn, a Celery worker per queue and beat, DEBUG
## off, JSON logs on stdout.
serve: venv
	@BIND=$(HOST):$(PORT) bash scripts/serve.sh

services:
	@bash scripts/services.sh

stop-services:
	@bash scripts/stop-services.sh

## make messages: refresh the translation catalogues after changing user-facing strings.
messages: export DEBUG = 1
messages: venv
	@$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=var
	@$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 var
