# Comity — the project's commands. `make demo` and `make test` work on a fresh machine with only
# Python 3.11, pip, make and git.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
PORT ?= 8000
SECRET_FILE := var/secret_key
DEMO_ENV := COMITY_DEMO=1 COMITY_HTTPS=0 COMITY_SECRET_KEY_FILE=$(CURDIR)/$(SECRET_FILE)
# Management commands outside the demo (makemigrations, compilemessages) run with a throwaway key.
DEV_ENV := COMITY_SECRET_KEY=make-dev-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz COMITY_DATA_DIR=$(CURDIR)/var

.PHONY: install demo serve test test-exchange test-browser test-documents bench lint format typecheck migrations-check messages lock clean

install: $(STAMP)

$(STAMP):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(SECRET_FILE):
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > $(SECRET_FILE)
	@chmod 600 $(SECRET_FILE)

demo: install $(SECRET_FILE)
	$(DEMO_ENV) $(BIN)/comity migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/comity seed-demo
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(DEMO_ENV) $(BIN)/comity runserver 127.0.0.1:$(PORT) --noreload

test: install
	$(BIN)/pytest -m "not browser and not fonts and not libreoffice and not slow" $(PYTEST_ARGS)

# Nodes as separate processes (gunicorn + worker each): crashes, the full receiver outage
# (COMITY_E2E_OUTAGE_SECONDS, default 300) and the rest; prints the fault counts.
test-exchange: install
	$(BIN)/pytest -m "e2e or slow" -s $(PYTEST_ARGS)

test-browser: install
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# Formal requests as PDF/DOCX against the system's Noto fonts, poppler-utils and LibreOffice.
test-documents: install
	$(BIN)/pytest -m "fonts or libreoffice" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m comity.bench $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

typecheck: install
	$(DEV_ENV) $(BIN)/mypy

migrations-check: install
	$(DEV_ENV) $(BIN)/comity makemigrations --check --dry-run

messages: install
	cd src/comity && $(DEV_ENV) ../../$(BIN)/comity compilemessages

# Regenerate the lock file after changing pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet -o requirements.lock

clean:
	rm -rf $(VENV) var artifacts
