# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first and are
# quick to re-run: each step is redone only when its inputs changed (stamps in .stamps/).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test e2e setup demo lint typecheck messages screenshots clean bench-load bench-fault bench-data bench-pages bench-audit bench-onboarding bench-jobs

run: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo
	@echo ""
	@echo "Fagnett runs on http://$(HOST):$(PORT)/  (e-mails are written to var/mail/; stop with Ctrl+C)"
	@# One job worker (with the scheduled jobs: reminders) beside the web server; Ctrl+C (or the server ending)
	@# stops both.
	@$(PY) manage.py worker --queue-name '*' -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	bash scripts/test.sh

# The production-like run (scripts/e2e.sh): gunicorn, a job worker, PostgreSQL, Azurite and a loopback SMTP
# server under the production settings, driven over HTTP. About three minutes, so its own target; CI runs it.
e2e: setup
	bash scripts/e2e.sh

setup: $(STAMPS)/python $(STAMPS)/frontend
	@mkdir -p var

$(STAMPS)/python: requirements.lock.txt requirements-dev.lock.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	@# --compile-bytecode: the installed packages' .pyc made once here. Without them every Python process (each test
	@# run, worker, manage.py call) compiles Django and the rest again where bytecode is not written
	@# (PYTHONDONTWRITEBYTECODE): about 3 s of CPU per process on the reference machine (5.3 → 2.4 s for `manage.py check`).
	$(VENV)/bin/uv pip sync --quiet --compile-bytecode --python $(PY) requirements.lock.txt requirements-dev.lock.txt
	touch $@

$(STAMPS)/frontend: frontend/package.json frontend/package-lock.json frontend/copy-assets.mjs
	@mkdir -p $(STAMPS)
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	node frontend/copy-assets.mjs
	touch $@

demo: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo --reset

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/djlint fagnett templates tests --check
	$(VENV)/bin/djlint fagnett templates tests --lint

typecheck: setup
	$(VENV)/bin/mypy

# Re-extract the message catalogues after changing user-facing text, then translate and compile them.
messages: setup
	$(PY) manage.py makemessages -l nb -l en --no-obsolete --ignore=.venv --ignore=frontend --ignore=static
	$(PY) scripts/messages.py

clean:
	rm -rf $(STAMPS) $(VENV) frontend/node_modules static/vendor staticfiles var

# Screenshots for the README and the user guide, taken in Chromium from a fresh demo.
# The pages' screenshots, and the first pages of the annual report's PDF (pdftoppm, poppler-utils) and DOCX (through
# LibreOffice's PDF, libreoffice-writer-nogui, about 200 MB; skipped with a message when it cannot be installed).
screenshots: setup
	@command -v pdftoppm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q poppler-utils; } || { echo "pdftoppm is missing: apt-get install poppler-utils" >&2; exit 1; }
	@command -v soffice >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends libreoffice-writer-nogui; } || echo "LibreOffice is missing, so the DOCX's pages are skipped: apt-get install --no-install-recommends libreoffice-writer-nogui" >&2
	$(PY) scripts/screenshots.py

# Issue 8's load and fault runs (bench/README.md): a throwaway PostgreSQL and gunicorn on 127.0.0.1, 50 locust
# users for 60 s; each run writes its own section of bench/RESULTS.md and fails if it misses its criteria.
bench-load: setup
	$(PY) -m bench.load

bench-fault: setup
	$(PY) -m bench.load --fault

# Issue 9's national scale (bench/README.md): `bench-data` times the generator (bench/generate.py, SEED and SCALE
# to change it) on SQLite and on a throwaway PostgreSQL; `bench-pages` serves the national data with gunicorn and
# measures the ten busiest pages with wrk (LABEL=before|after names the section of bench/RESULTS.md it writes;
# BEFORE=<folder> first serves an older copy of the code from the same data, as the `before` section).
SEED ?= 9
SCALE ?= 1
LABEL ?= after
bench-data: setup
	$(PY) -m bench.pages data --seed $(SEED) --scale $(SCALE)

bench-pages: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk; } || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
	$(PY) -m bench.pages run --seed $(SEED) --scale $(SCALE) --label $(LABEL) $(if $(BEFORE),--before-tree $(BEFORE))

# Issue 16: the audit log's export of 50 000 history rows (bench/audit_export.py, in-process on SQLite); with
# BEFORE=<folder> an older copy of the code is timed first from the same data.
bench-audit: setup
	$(PY) -m bench.audit_export $(if $(BEFORE),--before-tree $(BEFORE))

# Issue 18: a region's onboarding import at full size (bench/onboarding_import.py): 40 000 people and 400
# appointments uploaded, previewed and confirmed through the coordinator's pages on a throwaway PostgreSQL.
bench-onboarding: setup
	$(PY) -m bench.onboarding_import

# Issue 19: the regional report's PDF asked for (it only enqueues: < 200 ms), made by a worker, and the approved
# version's kept PDF downloaded (< 1 s), on the national data over HTTP (bench/jobs.py).
bench-jobs: setup
	$(PY) -m bench.jobs --scale $(SCALE) --seed $(SEED)
