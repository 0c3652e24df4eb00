# Knowledge Matrix. `make demo` and `make test` are the two commands a new user needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KM := $(BIN)/kmatrix
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
VENDOR := kmatrix/core/static/vendor
PUBLIC := kmatrix/core/public
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk

.PHONY: demo test install assets chromium documents lint types migrations-check test-sqlite test-postgres test-browser bench clean

demo: install assets ## install, build assets, migrate, load the demo, serve on :8000
	@mkdir -p var
	$(KM) migrate --noinput
	$(KM) demo
	@echo "Serving Knowledge Matrix at http://127.0.0.1:8000 (Ctrl-C to stop); background tasks log to var/worker.log"
	@$(KM) worker >var/worker.log 2>&1 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(KM) serve 127.0.0.1:8000

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.installed ## copy the NHS.UK and htmx assets into static files
	@mkdir -p $(VENDOR) $(PUBLIC)
	cp $(NHSUK)/nhsuk-frontend.min.css $(NHSUK)/nhsuk-frontend.min.css.map $(VENDOR)/
	cp $(NHSUK)/nhsuk-frontend.min.js $(NHSUK)/nhsuk-frontend.min.js.map $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js* \
	   node_modules/vega-embed/build/vega-embed.min.js* $(VENDOR)/
	rm -rf $(PUBLIC)/assets && cp -r $(NHSUK)/assets $(PUBLIC)/assets

chromium: ## Debian's Chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

documents: ## LibreOffice and poppler, with which the tests open the Board paper's DOCX and PDF
	@command -v soffice >/dev/null && command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui poppler-utils; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy kmatrix bench

migrations-check: install
	$(KM) makemigrations --check --dry-run

test-sqlite: install assets documents
	$(BIN)/pytest -m "not browser" -n 2 -q

test-postgres: install assets documents
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -n 2 -q

test-browser: install assets chromium
	$(BIN)/pytest -m browser -q

test: lint types migrations-check test-sqlite test-postgres test-browser ## the whole suite

bench: install assets ## every benchmark at national scale (see bench/README.md)
	$(BIN)/python bench/directory.py
	$(BIN)/python bench/indicators.py
	$(BIN)/python bench/indicators_import.py
	$(BIN)/python bench/improvement.py
	$(BIN)/python bench/library.py
	$(BIN)/python bench/programmes.py
	$(BIN)/python bench/supervision.py
	$(BIN)/python bench/boardpapers.py

clean:
	rm -rf var/*.sqlite3* $(VENDOR) $(PUBLIC)
