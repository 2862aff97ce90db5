# The two commands a newcomer needs: `make run` (the demo) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The locked dependency tree (docs/dependencies.md): every package at one version, with its hashes,
# exported from uv.lock. `install` (run, serve, bench) installs the running set, `install-test`
# (lint, test, loadtest) the testing set; pip checks every hash and installs nothing unlisted.
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt
# What is installed into the venv, marked by the checksum of pyproject.toml and the locks: a
# changed file installs again; stamps of other checksums are removed.
CHECKSUM := $(shell cat pyproject.toml $(RUN_LOCK) $(TEST_LOCK) | cksum | cut -d' ' -f1)
INSTALLED := $(VENV)/.installed-$(CHECKSUM)
INSTALLED_TEST := $(VENV)/.installed-test-$(CHECKSUM)
# uv resolves the lock (lock, lock-upgrade, lock-check, outdated); installing needs pip alone. It
# comes from PyPI into the venv, at this version, and never downloads a Python of its own.
UV_VERSION := 0.13.8
UV := $(BIN)/uv
UV_INSTALLED := $(VENV)/.uv-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never
EXPORT := $(UV) export --frozen --quiet --format requirements-txt --no-emit-project

.PHONY: run test lint install install-test demo migrate clean bench fuzz messages
.PHONY: lock lock-upgrade lock-check outdated

$(INSTALLED): pyproject.toml $(RUN_LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	find $(VENV)/ -maxdepth 1 -name '.installed-*' ! -name '*-$(CHECKSUM)' -delete
	touch $@

$(INSTALLED_TEST): $(INSTALLED) $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	touch $@

install: $(INSTALLED)

install-test: $(INSTALLED_TEST)

$(UV_INSTALLED):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	touch $@

# Re-resolves uv.lock after pyproject.toml changed (a dependency added, a range moved), keeping
# every locked version that still fits, then exports the two sets pip installs. After merging two
# branches that both changed dependencies: take either side's uv.lock and requirements/, then run it.
lock: $(UV_INSTALLED)
	$(UV) lock
	$(EXPORT) > $(RUN_LOCK)
	$(EXPORT) --extra test > $(TEST_LOCK)

# The same, taking the newest release of every package inside the ranges.
lock-upgrade: $(UV_INSTALLED)
	$(UV) lock --upgrade
	$(EXPORT) > $(RUN_LOCK)
	$(EXPORT) --extra test > $(TEST_LOCK)

# Fails when the locks do not match pyproject.toml (CI): uv.lock is what pyproject.toml resolves to,
# and the two exported sets are uv.lock's.
lock-check: $(UV_INSTALLED)
	$(UV) lock --check
	$(EXPORT) | diff -u $(RUN_LOCK) - || { echo "$(RUN_LOCK) is stale: run make lock"; exit 1; }
	$(EXPORT) --extra test | diff -u $(TEST_LOCK) - || { echo "$(TEST_LOCK) is stale: run make lock"; exit 1; }

# Newer releases: first those inside pyproject.toml's ranges (`make lock-upgrade` takes them), then
# each direct dependency whose newest release is newer than the locked one (outside the range:
# widen it in pyproject.toml, then `make lock`).
outdated: $(UV_INSTALLED)
	@echo "== inside the ranges (make lock-upgrade takes them)"
	@$(UV) lock --upgrade --dry-run 2>&1 | grep -E '^(Update|Add|Remove)' || echo "none"
	@echo "== newest releases of the direct dependencies, where newer than the lock"
	@$(UV) tree --frozen --outdated --depth 1 | grep 'latest:' || echo "none"

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo runs with DEBUG on (plain http, no SECRET_KEY of its own needed) unless the
# environment says otherwise, and its links (the printed sign-in, reminder mails, calendar
# feeds) name the port it serves on. Both hold for the steps before it too.
demo run: export DEBUG ?= true
# The demo's own institution: Nazarbayev University (partners/home.py).
demo run: export REGISTRY_HOME_INSTITUTION ?= NU
run: export SITE_URL ?= http://127.0.0.1:$(PORT)

demo: migrate
	$(BIN)/python manage.py load_demo

# The background job worker (docs/operations.md, "Background jobs") runs beside the server and
# stops with it: Ctrl+C stops both.
run: demo
	$(BIN)/python manage.py create_demo_admin
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n auto -rs $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .venv-* db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles

# The translation catalogues (docs/translations.md): every marked string of the code and the
# templates into locale/<language>/LC_MESSAGES/django.po for each language but English, then
# compiled to the django.mo files that are committed next to them (so a clean clone, the
# Docker image and CI need no msgfmt). Translate the new and fuzzy entries, then run it again.
MESSAGE_LANGUAGES := kk ru zh_Hans
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages --no-obsolete --no-location \
		$(addprefix --locale ,$(MESSAGE_LANGUAGES)) \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'build/*' --ignore 'staticfiles/*'
	DEBUG=true $(BIN)/python manage.py compilemessages $(addprefix --locale ,$(MESSAGE_LANGUAGES)) \
		--ignore '.venv/*'

# The production stack without Docker (docs/operations.md): gunicorn against DATABASE_URL, bound to
# 127.0.0.1:$(PORT) for a TLS-terminating proxy in front. DEBUG stays off, so SECRET_KEY and
# ALLOWED_HOSTS must be set; to try it over plain http: SECURE_SSL_REDIRECT=false SECURE_COOKIES=false.
.PHONY: serve
serve: migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py check --deploy
	$(BIN)/gunicorn registry.wsgi:application --bind 127.0.0.1:$(PORT) \
		--workers $${WEB_CONCURRENCY:-2} --access-logfile -

# A background job worker for `make serve` (docs/operations.md, "Background jobs"): from the
# database, or from Redis when TASKS_BACKEND=redis. Run as many as wanted, on any machine.
.PHONY: worker
worker: install
	@if [ "$${TASKS_BACKEND:-database}" = redis ]; then \
		exec $(BIN)/python manage.py rqworker default --job-class django_tasks_rq.Job; \
	else \
		exec $(BIN)/python manage.py db_worker --no-reload; \
	fi

# The benchmark on PostgreSQL (DATABASE_URL; docs/benchmarks.md): fills the database up to
# $(MEMORANDA) synthetic memoranda once, then measures; results in bench/results.json.
MEMORANDA ?= 100000
# A measuring run in production settings (DEBUG off) against a database of its own: it signs
# nothing that outlives it, so a throwaway key does unless SECRET_KEY is set.
bench: export SECRET_KEY ?= bench-only-not-a-secret
bench: migrate
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench measures PostgreSQL: set DATABASE_URL"; exit 1;; esac
	$(BIN)/python manage.py seed_bulk --memoranda $(MEMORANDA) --up-to
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py bench

# Load and faults (docs/reliability.md; tests marked `load`, left out of `make test`): the API under
# gunicorn on a throwaway PostgreSQL of its own with 100,000 memoranda, 20 clients for 60 s,
# then a PostgreSQL crash and restart in the middle of the load. Figures land in
# $(LOAD_REPORT_DIR)/load.json and faults.json. LOAD_MEMORANDA, LOAD_CLIENTS, LOAD_SECONDS,
# FAULT_MEMORANDA, FAULT_SECONDS bound it. Then a longer API fuzzing run.
LOAD_REPORT_DIR ?= test-artifacts/load
.PHONY: loadtest
loadtest: install-test
	LOAD_REPORT_DIR=$(LOAD_REPORT_DIR) $(BIN)/pytest -m load -p no:xdist -s -rs tests/system/reliability
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-30} $(BIN)/pytest -n auto -q tests/system/fuzz

# API fuzzing, longer than CI's (docs/reliability.md): schemathesis sends FUZZ_EXAMPLES requests
# per operation, mode (valid, invalid) and role (editor, partner client, anonymous), 300 per
# operation by default (about half an hour on two cores). A fresh random seed each run, printed before and
# after; `make fuzz SEED=...` replays a run. DATABASE_URL=postgres://... fuzzes PostgreSQL.
FUZZ_EXAMPLES ?= 50
fuzz: install
	@seed="$(SEED)"; [ -n "$$seed" ] || seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	echo "make fuzz: seed $$seed, $(FUZZ_EXAMPLES) examples per operation, mode and role"; \
	FUZZ_SEED=$$seed FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n auto -q tests/system/fuzz; \
	status=$$?; echo "make fuzz: seed $$seed; replay with: make fuzz SEED=$$seed"; exit $$status

# How well intake reads (docs/features.md, "Intake from an announcement"): precision and recall
# of parties, signatories and signing dates over labelled corpora, each read against its own
# register in a throwaway SQLite database. Another corpus of the same form: INTAKE_CORPORA=….
INTAKE_CORPORA ?= tests/agreements/intake/corpus/announcements.json tests/agreements/intake/corpus/held_out.json
.PHONY: intake-scores
intake-scores: install
	@scratch=$$(mktemp -d); \
	export DEBUG=true DATABASE_URL=sqlite:///$$scratch/intake-scores.sqlite3; \
	$(BIN)/python manage.py migrate --noinput -v 0 && \
	$(BIN)/python manage.py intake_scores $(INTAKE_CORPORA) --misses; \
	status=$$?; rm -rf $$scratch; exit $$status
