# The two commands a newcomer needs: `make run` (the demo) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint install demo migrate clean bench fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py create_demo_admin
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n auto -rs $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

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
loadtest: install
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
