# reportgen: two commands for a fresh machine.
#   make demo   install what is missing (system packages, fonts, .venv) and build inputs/ → outputs/
#   make test   the same set-up, then the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: demo test setup system lint clean goldens

demo: setup
	$(VENV)/bin/reportgen build inputs --out outputs

test: setup
	$(PY) -m pytest -q

setup: system $(STAMP)

# System packages and fonts (apt-get, as root or with sudo); installs only what is missing.
system:
	@bash scripts/setup-system.sh

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,bench]'
	@touch $(STAMP)

lint: setup
	$(VENV)/bin/ruff check reportgen tests tasks.py benchmarks

goldens: setup
	$(PY) -m tests.goldens

clean:
	rm -rf outputs/*.docx outputs/*.pdf outputs/.*.tmp .pytest_cache .ruff_cache
