# naranu — two commands: `make run` (set up, seed the demo on first run, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed-dev
AXE := node_modules/axe-core/axe.min.js

.PHONY: run serve test test-postgres lint translations install install-dev db demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(STAMP) $(AXE)

# axe-core for the browser tests' accessibility checks (tests/browser), pinned in package-lock.json.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

translations: $(VENV)/.installed
	$(BIN)/python -m survey.i18n

db: install translations
	$(FLASK) init-db

# First run: migrate, seed the demo history and print the demo logins; later runs just serve.
demo: db
	@if [ ! -f instance/.demo-seeded ]; then \
		$(FLASK) seed-demo --staff 150 --waves 8 --seed 1 && touch instance/.demo-seeded; \
	else echo "demo already seeded (delete instance/ to start over)"; fi

# Invitation links follow the address this server answers on unless NARANU_PUBLIC_BASE_URL says otherwise.
HOST ?= 127.0.0.1
run: demo
	@echo "naranu on http://$(HOST):$(PORT)  (demo logins were printed on first run)"
	NARANU_PUBLIC_BASE_URL=$${NARANU_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
		$(FLASK) run --host $(HOST) --port $(PORT)

# Production server (gunicorn) on SQLite or DATABASE_URL; settings in gunicorn.conf.py.
serve: db
	$(BIN)/gunicorn --config gunicorn.conf.py 'app:create_app()'

test: install-dev translations
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

test-postgres: install-dev translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -n 2 --dist loadfile -m "not browser"

lint: install-dev
	$(BIN)/ruff check .

# Benchmarks (not part of `make test`): statistics, then the scale benchmark (2,000 / 20,000 /
# 100,000 staff; SIZES=2000,20000 for a quicker run).
SIZES ?= 2000,20000,100000
bench: install-dev
	$(BIN)/python bench/report_render.py --staff 20000 --units 1000
	$(BIN)/python bench/scale.py --sizes $(SIZES)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
