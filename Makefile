# lea-support: `make run` to try it, `make test` to check it. Everything is idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LEA := $(BIN)/lea-support
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# make is for a developer's machine: lea-support starts in production mode (and refuses the public
# development secret) unless told otherwise.
LEA_SUPPORT_ENV ?= development
export LEA_SUPPORT_ENV
CSS := lea_support/static/build/app.css
# Both cores: pytest-xdist runs the suite in one worker per core (each with its own database).
PYTEST_WORKERS ?= auto

# Debian packages: WeasyPrint's libraries and the PDFs' font for the app; Chromium for the browser
# tests. scripts/system-packages installs the missing ones (as root) or names the command to run.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation
TEST_PACKAGES := $(RUN_PACKAGES) chromium

.PHONY: install run test lint test-sqlite test-postgres bench screenshots clean system-packages-run system-packages-test

system-packages-run:
	@scripts/system-packages $(RUN_PACKAGES)

system-packages-test:
	@scripts/system-packages $(TEST_PACKAGES)

install: system-packages-run $(VENV)/.stamp-install $(CSS)
	$(LEA) db upgrade

$(VENV)/.stamp-install: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	# setuptools explains editable installs in UserWarnings on every install: nothing to act on.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.stamp-install: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): assets/app.scss node_modules/.stamp-install
	mkdir -p $(dir $(CSS))
	npx --no-install sass --style=compressed --no-source-map --quiet-deps --load-path=. assets/app.scss $(CSS)

run: install
	$(LEA) demo --if-empty
	@echo "Serving on http://127.0.0.1:5000 (Ctrl-C to stop)"
	$(LEA) run --host 127.0.0.1 --port 5000

# ruff over the code and the tests; mypy over the modules pyproject.toml lists.
lint: install
	$(BIN)/ruff check lea_support tools scripts tests migrations
	$(BIN)/mypy

test: system-packages-test install lint
	$(MAKE) test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ] || $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		$(MAKE) test-postgres; \
	else echo "No PostgreSQL server answers on 127.0.0.1:5432: PostgreSQL run skipped."; fi

test-sqlite: install
	TEST_DATABASE_URL= $(BIN)/pytest -q -n $(PYTEST_WORKERS)

test-postgres: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_URL)} $(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not sqlite_only"

bench: install
	$(BIN)/python scripts/bench.py

# Pictures of each role's pages at 390 and 1280 px and of every kind of PDF, for people to look at.
screenshots: system-packages-test install
	@scripts/system-packages poppler-utils
	$(BIN)/python scripts/screenshots.py --out screenshots

clean:
	rm -rf $(VENV) node_modules lea_support/static/build *.egg-info
