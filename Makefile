# The two commands a newcomer needs: `make run` (the demo) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# What is installed into the venv, marked by pyproject.toml's checksum: the application alone
# (`install`: run, serve, bench) or with the test tools too (`install-test`: lint, test,
# loadtest). A changed pyproject.toml installs again; stamps of other checksums are removed.
CHECKSUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
INSTALLED := $(VENV)/.installed-$(CHECKSUM)
INSTALLED_TEST := $(VENV)/.installed-test-$(CHECKSUM)

.PHONY: run test lint install install-test demo migrate clean bench fuzz messages

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	find $(VENV)/ -maxdepth 1 -name '.installed-*' ! -name '*-$(CHECKSUM)' -delete
	touch $@

$(INSTALLED_TEST): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(INSTALLED)

install-test: $(INSTALLED_TEST)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The demo runs with DEBUG on (plain http, no SECRET_KEY of its own needed) unless the
# environment says otherwise, and its links (the printed sign-in, reminder mails, calendar
# feeds) name the port it serves on. Both hold for the steps before it too.
demo run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py create_demo_admin
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n auto -rs $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

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
