# reportgen: two commands for a fresh machine.
#   make demo   install what building reports needs (system packages, fonts, .venv) and
#               build inputs/ → outputs/
#   make test   that, plus what only the tests use (LibreOffice, Chromium, the dev and bench
#               extras), then the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PYTHON ?= python3

.PHONY: demo test setup setup-test system system-test lint clean goldens

demo: setup
	$(VENV)/bin/reportgen build inputs --out outputs

test: setup-test
	$(PY) -m pytest -q

setup: system $(STAMP)

setup-test: system-test $(TEST_STAMP)

# System packages and fonts (apt-get, as root or with sudo); installs only what is missing.
system:
	@bash scripts/setup-system.sh

system-test:
	@bash scripts/setup-system.sh --test

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# reportgen itself, editable: the top-level templates/ stay the ones in use.
$(STAMP): pyproject.toml Makefile | $(PY)
	$(PY) -m pip install -q -e .
	@touch $(STAMP)

# With the test and benchmark tools (pytest, ruff, invoke, selenium, docxtpl …); this
# installs reportgen itself too.
$(TEST_STAMP): pyproject.toml Makefile | $(PY)
	$(PY) -m pip install -q -e '.[dev,bench]'
	@touch $(TEST_STAMP) $(STAMP)

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check reportgen tests tasks.py benchmarks
	$(VENV)/bin/mypy

goldens: setup $(TEST_STAMP)
	$(PY) -m tests.goldens

clean:
	rm -rf outputs/*.docx outputs/*.pdf outputs/.*.tmp .pytest_cache .ruff_cache
