# Pathlens: the few commands a newcomer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# The first interpreter that is Python >= 3.12: $(PYTHON) if given, then the usual names,
# then pyenv's versions (whose shims refuse python3.12 unless it is the selected version).
define find_python
for c in $(PYTHON) python3.13 python3.12 python3.14 python3 $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$c"; break; \
  fi; \
done
endef

.PHONY: help run test test-fast lint format migrate worker web install install-test browser clean

help:
	@echo "make run    set up, load demo data, and start the web server and a Celery worker (with beat)"
	@echo "make test   set up for testing and run the whole test suite"
	@echo "make test-fast  the suite without the browser and real-worker tests (no Chromium needed)"
	@echo "make lint   ruff check, ruff format --check, the import contracts and the type checker"
	@echo "make format format the code with ruff"
	@echo "make clean  remove the virtualenv and the local data folder"

$(PY):
	@if [ -n "$(PYTHON)" ] && ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	  echo "PYTHON=$(PYTHON) is not a Python 3.12 or newer." >&2; exit 1; fi
	@py="$$($(find_python))"; \
	if [ -z "$$py" ]; then \
	  echo "Pathlens needs Python 3.12 or newer (Django 6), and none was found." >&2; \
	  echo "Install one (Debian/Ubuntu: apt-get install python3.12 python3.12-venv; or pyenv install 3.12)," >&2; \
	  echo "or name it: make run PYTHON=/path/to/python3.12" >&2; exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Quiet: each database gets only its own tables, but both list every migration at the default
# verbosity, so the log would show each one twice. Problems still print.
migrate: install
	@echo "Migrating the school-side database and the analytics (collector) database"
	@$(MANAGE) migrate --noinput --verbosity 0
	@$(MANAGE) migrate --noinput --verbosity 0 --database analytics

# `make run` is the embedded set-up: DEBUG on, SQLite files and a filesystem broker under data/.
run: export DEBUG ?= true
run: migrate
	$(MANAGE) seed_whitelist
	$(MANAGE) seed_demo
	$(MANAGE) summarise_sessions
	@echo ""
	@echo "  Pathlens is starting on http://$(HOST):$(PORT)/ with a Celery worker and beat. Ctrl-C stops both."
	@echo ""
	@config/run.sh $(VENV)/bin $(HOST):$(PORT)

# The browser tests drive Debian's chromium; install it where we can, otherwise say how.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v $${CHROMIUM:-chromium} >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: sudo apt-get install chromium (or set CHROMIUM=/path/to/chrome)." >&2; exit 1; \
	  fi; }

# acorn, the JavaScript parser tests/js/code_shape.test.mjs reads static/ with, as
# tests/js_parser/package-lock.json pins it (npm ci again only when the lock file changes).
JS_PARSER := tests/js_parser/node_modules/.package-lock.json
$(JS_PARSER): tests/js_parser/package-lock.json
	cd tests/js_parser && npm ci --no-audit --no-fund

# The JavaScript tests run even when pytest failed (one run reports everything); either failing
# fails the target.
test: install-test browser $(JS_PARSER)
	status=0; $(PY) -m pytest $(PYTEST_ARGS) || status=$$?; \
	  node --test tests/js/ || status=1; exit $$status

# The quick loop while working: no Chromium, no Celery worker process (tests marked `browser` or
# `worker` in pyproject.toml). CI runs the whole suite.
test-fast: install-test $(JS_PARSER)
	$(PY) -m pytest -m "not browser and not worker" $(PYTEST_ARGS)
	node --test tests/js/

# mypy's Django plugin loads the settings: give it a key, and a data folder of its own (the
# filesystem broker's folders are made at start-up).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	SECRET_KEY=type-checking-only DATA_DIR=data/type-check $(VENV)/bin/mypy

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) data staticfiles
