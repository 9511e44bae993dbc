# MineHub: `make run` serves the hub with demo content, `make test` runs the whole suite.
# Both bootstrap everything they need from the lock file; nothing else is required.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
HOST ?= 127.0.0.1
PORT ?= 8000
# PostgreSQL used for the second test pass, when it answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/minehub

.PHONY: run test test-sqlite test-postgres lint format bench messages translations clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Installs exactly the locked versions; --inexact keeps uv itself in the environment.
$(VENV)/.synced: pyproject.toml uv.lock | $(BIN)/uv
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --inexact --quiet --extra embeddings
	touch $@

# Optional Debian packages: Tesseract OCR with the hub's four languages (text from scanned
# PDFs) and the DejaVu fonts the tests draw Cyrillic with. Installed only as root where
# apt-get exists; otherwise a one-line note. Never fails: without them OCR is just off.
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-mon tesseract-ocr-kir tesseract-ocr-rus \
	tesseract-ocr-eng fonts-dejavu-core

.PHONY: system-packages
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian packages:" $$missing; \
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } \
		|| echo "Could not install" $$missing "- OCR of scanned documents stays off"; \
	else \
		echo "Optional packages missing (OCR of scanned documents is off):" $$missing; \
	fi

translations: $(VENV)/.synced
	MINEHUB_DEBUG=1 $(BIN)/minehub compile_translations

# `make run` serves the way production does (no debug pages, hashed static files) on plain
# HTTP for this machine only; its secret key is generated once into var/.
RUN_ENV := MINEHUB_SECRET_KEY_FILE=var/secret_key MINEHUB_HTTPS=0 \
	MINEHUB_ALLOWED_HOSTS=$${MINEHUB_ALLOWED_HOSTS:-localhost,127.0.0.1,$(HOST)}

var/secret_key: | $(VENV)/.synced
	mkdir -p var
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))" > $@

run: system-packages translations var/secret_key
	$(RUN_ENV) $(BIN)/minehub setup
	$(RUN_ENV) $(BIN)/minehub serve --host $(HOST) --port $(PORT)

test: system-packages translations
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -m minehub.core.pgprobe; then \
		$(MAKE) --no-print-directory test-postgres; \
	else \
		echo "PostgreSQL at 127.0.0.1:5432 does not answer: PostgreSQL pass skipped"; \
	fi

test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-postgres:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -m "not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.synced
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-extracts translatable strings into the .po files (needs GNU gettext).
messages: $(VENV)/.synced
	cd minehub && MINEHUB_DEBUG=1 ../$(BIN)/minehub makemessages --no-obsolete --no-location -l mn -l ru -l ky

bench: translations
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/minehub.sqlite3* var/static
